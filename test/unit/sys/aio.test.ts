// sys.writeInBackground (src/sys/aio.ts): glibc's aio_write through bun:ffi, checked on files
// that need no root: the write lands, a failing one is reported by wait(), a missing one at once.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeInBackground } from "../../../src/sys/aio.ts";
import { SysError } from "../../../src/sys/errno.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-aio-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a write on a thread of glibc's", () => {
  test("returns at once; once wait() returns the data is in the file (twice is fine)", () => {
    const file = join(dir, "procs");
    writeFileSync(file, "");
    const w = writeInBackground(file, "4242");
    w.wait();
    w.wait();
    expect(readFileSync(file, "utf8")).toBe("4242");
  });

  test("what the write failed with is thrown by wait(), naming the file: /dev/full says ENOSPC", () => {
    const w = writeInBackground("/dev/full", "x");
    expect(() => w.wait()).toThrow(new SysError("write", 28, "/dev/full"));
  });

  test("a file that cannot be opened fails at once, before anything is under way", () => {
    const missing = join(dir, "no", "such");
    expect(() => writeInBackground(missing, "1")).toThrow(SysError);
  });
});
