// Option values reach the commands as typed: cac's parser (mri) would turn any value that looks
// like a number into one (`-h 0123` -> 123, `--entrypoint ''` -> 0); cli/context.ts marks them.
import { describe, expect, test } from "bun:test";
import { buildCli, parseWith } from "../../../src/cli/app.ts";
import { markValues, unmarkValues } from "../../../src/cli/context.ts";
import { bool } from "../../../src/cli/values.ts";
import { timeArg } from "../../../src/cli/commands/logs.ts";

const parseRun = (args: string[]) => parseWith(buildCli("run"), "run", [...args, "busybox"]).options;

describe("run option values stay the strings given", () => {
  test.each([
    [["-h", "0123"], "hostname", "0123"],
    [["--hostname=1e3"], "hostname", "1e3"],
    [["--name", "007"], "name", "007"],
    [["--entrypoint", ""], "entrypoint", ""],
    [["--entrypoint="], "entrypoint", ""],
    [["--env-file", "0123"], "envFile", ["0123"]],
    [["--oom-score-adj=-500"], "oomScoreAdj", "-500"],
    [["-e", "X=010"], "env", ["X=010"]],
    [["-m", "64"], "memory", "64"],
    [["--oom-score-adj", "-500"], "oomScoreAdj", "-500"],
  ])("%j", (args, key, want) => {
    const got = parseRun(args as string[])[key as string];
    // every run option is declared { type: [String] }: cac hands back a list
    expect([got].flat()).toEqual([want].flat());
  });

  test("booleans and clusters keep their meaning; what follows them is not taken as a value", () => {
    const o = parseRun(["--rm", "-it", "--read-only", "-e", "A=1"]);
    expect([o.rm, o.i, o.t, o.readOnly, [o.env].flat()].map((v) => (Array.isArray(v) ? v : bool(v)))).toEqual([true, true, true, true, ["A=1"]]);
  });
});

test("an optional value is only taken with =: a bare --explain leaves the image alone", () => {
  const p = parseWith(buildCli("run"), "run", ["--explain", "busybox"]);
  expect([p.options.explain, p.args]).toEqual(["", ["busybox"]]);
  expect(parseWith(buildCli("run"), "run", ["--explain=timing", "busybox"]).options.explain).toBe("timing");
});

describe("markValues", () => {
  const cli = buildCli("run");
  test("marks only values of options that take one; -- ends the options", () => {
    const marked = markValues(cli, "run", ["--name", "7", "--rm", "-e=1", "-it", "--", "-h", "8"]);
    expect(marked).toEqual(["--name", "\u00007", "--rm", "--env=\u00001", "-it", "--", "-h", "8"]);
    const o: Record<string, unknown> = { a: "\u00007", b: ["\u00001", "x"], c: true };
    unmarkValues(o);
    expect(o).toEqual({ a: "7", b: ["1", "x"], c: true });
  });

  test("-e and --env are one list, in the order given, clusters and attached values too", () => {
    const o = parseRun(["-e", "A=1", "--env", "B=2", "-eC=3", "-ie", "D=4", "--env=E=5", "-l", "x", "--label", "y=1"]);
    expect([o.env].flat()).toEqual(["A=1", "B=2", "C=3", "D=4", "E=5"]);
    expect([o.label].flat()).toEqual(["x", "y=1"]);
    expect(bool(o.interactive) || bool(o.i)).toBe(true);
  });

  test("global --root keeps a numeric-looking directory", () => {
    const g = buildCli(undefined);
    const o = g.parse(["bunbox", "bunbox", ...markValues(g, undefined, ["--root", "0123"])], { run: false }).options;
    unmarkValues(o);
    expect([o.root].flat()).toEqual(["0123"]);
  });
});

describe("logs --since/--until values (Docker's forms)", () => {
  const now = Date.parse("2026-01-02T03:04:05Z");
  test.each([
    ["42m", now - 42 * 60_000],
    ["1h30m", now - 90 * 60_000],
    ["1.5s", now - 1500],
    ["1700000000", 1_700_000_000_000],
    ["1700000000.5", 1_700_000_000_500],
    ["2013-01-02T13:23:37Z", Date.parse("2013-01-02T13:23:37Z")],
  ])("%s", (v, want) => expect(timeArg(v, "since", now)).toBe(want));
  test("anything else is one clear error", () => {
    expect(() => timeArg("yesterday", "since", now)).toThrow('invalid value for --since: "yesterday"');
  });
});
