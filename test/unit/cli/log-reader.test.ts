// Reading the json log (cli/commands/log-reader.ts, log-tail.ts, log-printer.ts): streaming
// through rotated files, following rotations without loss or repeats, --tail from the end.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RotatingLogFile } from "../../../src/runtime/log-file.ts";
import { StreamRecords, jsonRecord, type LogLine } from "../../../src/runtime/json-log.ts";
import { LogReader, openOldest } from "../../../src/cli/commands/log-reader.ts";
import { tailStart } from "../../../src/cli/commands/log-tail.ts";
import { LogPrinter } from "../../../src/cli/commands/log-printer.ts";
import { MAX_PIECE } from "../../../src/runtime/log-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-logreader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const enc = new TextEncoder();

/** A log written as the monitor writes it; `time` stamps each chunk. */
function writer(limits: { maxSize: number; maxFile: number }) {
  const path = join(dir, `log${n++}.json`);
  const file = new RotatingLogFile(path, limits);
  let t = 0;
  const streams = { stdout: new StreamRecords("stdout", file, () => `T${t++}`), stderr: new StreamRecords("stderr", file, () => `T${t++}`) };
  return { path, write: (text: string, s: "stdout" | "stderr" = "stdout") => streams[s].push(enc.encode(text)), close: () => file.close() };
}

/** Everything the reader shows, as the printer prints it. */
function printed(read: (each: (l: LogLine) => void) => void, timestamps = false, keep?: (l: LogLine) => boolean): { out: string; err: string } {
  const got = { out: "", err: "" };
  const p = new LogPrinter({ out: (t) => void (got.out += t), err: (t) => void (got.err += t) }, timestamps, keep);
  read(p.line);
  p.flush();
  return got;
}

function readAll(path: string, maxFile: number): string {
  const r = new LogReader(path, maxFile, openOldest(path, maxFile)!);
  try { return printed((each) => r.readNew(each)).out; } finally { r.close(); }
}

function tail(path: string, maxFile: number, lines: number, keep: (l: LogLine) => boolean = () => true): string {
  const start = tailStart(path, maxFile, lines, keep);
  if (!start) return "";
  const r = new LogReader(path, maxFile, start);
  try { return printed((each) => r.readNew(each), false, keep).out; } finally { r.close(); }
}

const numbers = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${from + i}\n`).join("");

describe("reading forward", () => {
  test("all the files there are, oldest first, and the lines they hold", () => {
    const w = writer({ maxSize: 300, maxFile: 3 });
    for (let i = 0; i < 12; i++) w.write(`${i}\n`);
    w.close();
    expect(readAll(w.path, 3)).toBe(numbers(0, 12));
  });

  test("following: every line once and in order, through many rotations, whenever the reader looks", () => {
    const w = writer({ maxSize: 200, maxFile: 3 });
    const r = new LogReader(w.path, 3, openOldest(w.path, 3) ?? (w.write(""), openOldest(w.path, 3)!));
    let seen = "";
    let next = 0;
    // Each round writes up to ~1.5 files' worth (rotations in the middle of it), then the reader looks
    for (let round = 0; round < 300; round++) {
      const count = (round * 7) % 11;
      for (let i = 0; i < count; i++) w.write(`${next++}\n`);
      seen += printed((each) => r.readNew(each)).out;
    }
    w.close();
    seen += printed((each) => r.readNew(each)).out;
    r.close();
    expect(seen).toBe(numbers(0, next));
  });

  test("a reader more than max-file files behind loses the oldest lines but never repeats one", () => {
    const w = writer({ maxSize: 100, maxFile: 2 });
    w.write("first\n");
    const r = new LogReader(w.path, 2, openOldest(w.path, 2)!);
    for (let i = 0; i < 40; i++) w.write(`${i}\n`);
    const got = printed((each) => r.readNew(each)).out.trimEnd().split("\n");
    r.close();
    w.close();
    expect(got[0]).toBe("first"); // the file it held open is read to its end
    const nums = got.slice(1).map(Number);
    expect(nums.at(-1)).toBe(39);
    expect(nums.every((v, i) => i === 0 || v > nums[i - 1]!)).toBe(true);
  });

  test("a line longer than any record (a log from before pieces) is skipped, not loaded", () => {
    const path = join(dir, "legacy.json");
    writeFileSync(path, jsonRecord("before\n", "stdout", "T") + jsonRecord("x".repeat(3 << 20) + "\n", "stdout", "T") + jsonRecord("after\n", "stdout", "T"));
    expect(readAll(path, 1)).toBe("before\nafter\n");
    expect(tail(path, 1, 1)).toBe("after\n");
    expect(tail(path, 1, 2)).toBe("before\nafter\n");
  });
});

describe("--tail", () => {
  test("the last N lines, from the end, across rotated files", () => {
    const w = writer({ maxSize: 120, maxFile: 4 });
    for (let i = 0; i < 10; i++) w.write(`${i}\n`);
    w.close();
    expect(tail(w.path, 4, 1)).toBe("9\n");
    expect(tail(w.path, 4, 3)).toBe("7\n8\n9\n");
    expect(tail(w.path, 4, 0)).toBe("");
    expect(tail(w.path, 4, 1000)).toBe(readAll(w.path, 4));
  });

  test("a long line counts once, whole, even when its pieces are in two files", () => {
    const w = writer({ maxSize: MAX_PIECE + 200, maxFile: 3 });
    const long = "L".repeat(3 * MAX_PIECE + 5);
    w.write("before\n");
    w.write(long + "\n");
    w.write("after\n", "stderr");
    w.close();
    expect(tail(w.path, 3, 2)).toBe(long + "\n");
    expect(tail(w.path, 3, 3)).toBe("before\n" + long + "\n");
  });

  test("a last line still being written counts as a line", () => {
    const w = writer({ maxSize: 1e6, maxFile: 1 });
    w.write("done\n" + "h".repeat(MAX_PIECE + 10)); // a first piece is out, the rest waits for its newline
    w.close();
    expect(tail(w.path, 1, 1)).toBe("h".repeat(MAX_PIECE));
  });

  test("only lines in the --since/--until window count", () => {
    const w = writer({ maxSize: 1e6, maxFile: 1 });
    for (let i = 0; i < 5; i++) w.write(`${i}\n`); // times T0..T4
    w.close();
    expect(tail(w.path, 1, 2, (l) => l.time !== "T4")).toBe("2\n3\n");
  });
});

describe("printing", () => {
  test("-t: the time once at the start of each line, pieces joined, streams apart", () => {
    const lines: LogLine[] = [
      { log: "a".repeat(5), stream: "stdout", time: "T1" },
      { log: "e\n", stream: "stderr", time: "T2" },
      { log: "b\n", stream: "stdout", time: "T1" },
      { log: "c\n", stream: "stdout", time: "T3" },
    ];
    expect(printed((each) => lines.forEach(each), true)).toEqual({ out: "T1 aaaaab\nT3 c\n", err: "T2 e\n" });
  });
});
