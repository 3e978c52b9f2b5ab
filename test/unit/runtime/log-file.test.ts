// The json log on disk (runtime/log-file.ts): Docker's rotation names and order, rotation before
// the record that would go past max-size, and what one file may hold at most.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, readdirSync, statSync, readFileSync, openSync, fstatSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RotatingLogFile, rotationRenames, logFileNames } from "../../../src/runtime/log-file.ts";
import { StreamRecords } from "../../../src/runtime/json-log.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-logfile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rotation", () => {
  test("names: .1 is the newest rotated file; the oldest is replaced by the one after it", () => {
    expect(rotationRenames("l", 3)).toEqual([["l.1", "l.2"], ["l", "l.1"]]);
    expect(rotationRenames("l", 2)).toEqual([["l", "l.1"]]);
    expect(rotationRenames("l", 1)).toEqual([]);
    expect(logFileNames("l", 3)).toEqual(["l.2", "l.1", "l"]);
  });

  test("each file stops at max-size, overshooting by less than one record; max-file files are kept", () => {
    const path = join(dir, "a.log");
    const file = new RotatingLogFile(path, { maxSize: 1000, maxFile: 3 });
    const rec = new StreamRecords("stdout", file, () => "2024-01-01T00:00:00.000Z");
    for (let i = 0; i < 200; i++) rec.push(new TextEncoder().encode(`line ${i}\n`.repeat(i % 3 + 1)));
    rec.end();
    file.close();
    expect(readdirSync(dir).filter((n) => n.startsWith("a.log")).sort()).toEqual(["a.log", "a.log.1", "a.log.2"]);
    for (const n of ["a.log.1", "a.log.2"]) {
      const size = statSync(join(dir, n)).size;
      expect(size).toBeGreaterThanOrEqual(1000);
      expect(size).toBeLessThan(1000 + 70);
    }
    // The newest records are in the live file, whole
    expect(readFileSync(path, "utf8").trimEnd().split("\n").at(-1)).toBe('{"log":"line 199\\n","stream":"stdout","time":"2024-01-01T00:00:00.000Z"}');
  });

  test("one file: a new file each time (a reader holding the old one reads it to its end), never more than one", () => {
    const path = join(dir, "b.log");
    const file = new RotatingLogFile(path, { maxSize: 100, maxFile: 1 });
    const rec = new StreamRecords("stderr", file, () => "T");
    rec.push(new TextEncoder().encode("x".repeat(60) + "\n"));
    const reader = openSync(path, "r"); // as `logs -f` holds it
    rec.push(new TextEncoder().encode("y".repeat(60) + "\n"));
    file.close();
    expect(statSync(path).ino).not.toBe(fstatSync(reader).ino);
    expect(readFileSync(reader, "utf8")).toContain("x".repeat(60));
    closeSync(reader);
    expect(readdirSync(dir).filter((n) => n.startsWith("b.log"))).toEqual(["b.log"]);
  });

  test("a restarted writer goes on from the file's size", () => {
    const path = join(dir, "c.log");
    for (let run = 0; run < 3; run++) {
      const file = new RotatingLogFile(path, { maxSize: 150, maxFile: 5 });
      new StreamRecords("stdout", file, () => "T").push(new TextEncoder().encode("z".repeat(50) + "\n"));
      file.close();
    }
    // Two records (~80 bytes each) fill 150: the third went to a new file
    expect(readdirSync(dir).filter((n) => n.startsWith("c.log")).sort()).toEqual(["c.log", "c.log.1"]);
  });
});
