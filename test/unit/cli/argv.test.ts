import { describe, expect, test } from "bun:test";
import { splitRunArgs, splitGlobal } from "../../../src/cli/argv.ts";
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
