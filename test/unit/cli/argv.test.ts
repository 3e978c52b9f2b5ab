import { describe, expect, test } from "bun:test";
import { splitRunArgs, splitGlobal, lastBoolFlag } from "../../../src/cli/argv.ts";
import { bool } from "../../../src/cli/values.ts";
import { RUN_VALUE_OPTIONS } from "../../../src/cli/commands/run-options.ts";

const split = (line: string[]) => splitRunArgs(line, RUN_VALUE_OPTIONS);

describe("splitRunArgs: everything after IMAGE is the container's command", () => {
  test.each([
    [["busybox", "sh", "-c", "ls -la /"], [], "busybox", ["sh", "-c", "ls -la /"]],
    [["busybox", "ls", "-la"], [], "busybox", ["ls", "-la"]],
    [["--rm", "-e", "A=1", "busybox", "env"], ["--rm", "-e", "A=1"], "busybox", ["env"]],
    [["-eA=1", "-it", "busybox"], ["-eA=1", "-it"], "busybox", []],
    [["--name=x", "--hostname", "h", "img", "--rm"], ["--name=x", "--hostname", "h"], "img", ["--rm"]],
    [["-v", "/a:/b", "-w", "/b", "img", "pwd"], ["-v", "/a:/b", "-w", "/b"], "img", ["pwd"]],
    [["--rm", "--", "img", "-x"], ["--rm"], "img", ["-x"]],
    [["-ie", "X=1", "img"], ["-ie", "X=1"], "img", []],
    [["--rm"], ["--rm"], undefined, []],
  ])("%j", (args, options, image, command) => {
    expect(split(args as string[])).toEqual({ options: options as string[], image: image as string | undefined, command: command as string[] });
  });
});

describe("splitGlobal", () => {
  test("global options before the command word", () => {
    expect(splitGlobal(["--root", "/tmp/x", "run", "--rm", "busybox"])).toEqual({ global: ["--root", "/tmp/x"], command: "run", rest: ["--rm", "busybox"] });
    expect(splitGlobal(["--version"])).toEqual({ global: ["--version"], command: undefined, rest: [] });
  });
});

describe("lastBoolFlag reads --init as the parser will (main.ts decides before parsing)", () => {
  const cases: string[][] = [[], ["--init"], ["--init=1"], ["--init=true"], ["--init=false"], ["--init", "--init=false"], ["--init=0", "--init"], ["--rm", "-i"], ["--initx"]];
  test("the last one wins; bare, =true and =1 are true", () => {
    expect(cases.map((c) => lastBoolFlag(c, "init"))).toEqual([false, true, true, true, false, false, true, false, false]);
  });
  test("the same answer as cli/values.ts bool() on the values cac collects", () => {
    const asCac = (c: string[]) => c.filter((o) => o === "--init" || o.startsWith("--init=")).map((o) => (o === "--init" ? true : o.slice(7)));
    for (const c of cases) expect(lastBoolFlag(c, "init")).toBe(bool(asCac(c).length ? asCac(c) : undefined));
  });
});
