// --log-opt as Docker's json-file reads it (config/log-opts.ts): names, units, errors, defaults.
import { describe, expect, test } from "bun:test";
import { logOptsFromFlags, logLimits, fromHumanSize, DEFAULT_LOG_OPTS } from "../../../src/config/log-opts.ts";

const err = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return "no error"; };

describe("--log-opt", () => {
  test("nothing given: bunbox's bound, 3 files of 10 MB", () => {
    expect(logOptsFromFlags([])).toEqual({ "max-file": "3", "max-size": "10m" });
    expect(logLimits(logOptsFromFlags([]))).toEqual({ maxSize: 10_000_000, maxFile: 3 });
    expect(logLimits(undefined)).toEqual(logLimits(DEFAULT_LOG_OPTS));
  });

  test("what is given replaces the default key by key (as a daemon.json default merges)", () => {
    expect(logLimits(logOptsFromFlags(["max-size=1m", "max-file=2"]))).toEqual({ maxSize: 1_000_000, maxFile: 2 });
    expect(logLimits(logOptsFromFlags(["max-file=5"]))).toEqual({ maxSize: 10_000_000, maxFile: 5 });
    expect(logLimits(logOptsFromFlags(["max-size=500k"]))).toEqual({ maxSize: 500_000, maxFile: 3 });
    expect(logLimits(logOptsFromFlags(["max-size=1k", "max-size=2k"])).maxSize).toBe(2000); // the last wins
  });

  test("sizes as go-units' FromHumanSize: decimal units, optional i and b, fractions", () => {
    expect([fromHumanSize("10"), fromHumanSize("1.5k"), fromHumanSize("44kB"), fromHumanSize("2 MiB"), fromHumanSize("1g"), fromHumanSize("3M")])
      .toEqual([10, 1500, 44_000, 2_000_000, 1_000_000_000, 3_000_000]);
  });

  test("Docker's errors", () => {
    expect(err(() => logOptsFromFlags(["max-size=abc"]))).toBe("failed to initialize logging driver: invalid size: 'abc'");
    expect(err(() => logOptsFromFlags(["max-size=-1"]))).toBe("failed to initialize logging driver: invalid size: '-1'");
    expect(err(() => logOptsFromFlags(["max-size"]))).toBe("failed to initialize logging driver: invalid size: ''");
    expect(err(() => logOptsFromFlags(["max-size=0"]))).toBe("failed to initialize logging driver: max-size must be a positive number");
    expect(err(() => logOptsFromFlags(["max-file=0"]))).toBe("failed to initialize logging driver: max-file cannot be less than 1");
    expect(err(() => logOptsFromFlags(["max-file=two"]))).toBe('failed to initialize logging driver: strconv.Atoi: parsing "two": invalid syntax');
    expect(err(() => logOptsFromFlags(["colour=red"]))).toBe("unknown log opt 'colour' for json-file log driver");
    expect(err(() => logOptsFromFlags(["tag=x"]))).toContain("not supported by bunbox");
  });
});
