// Cutting output into Docker's log messages (runtime/log-lines.ts) and turning them into json-file
// records (runtime/json-log.ts): 16 KiB pieces, the fast path for plain lines, times, UTF-8.
import { describe, expect, test } from "bun:test";
import { LineSplitter, MAX_PIECE } from "../../../src/runtime/log-lines.ts";
import { StreamRecords, jsonRecord, parseRecord } from "../../../src/runtime/json-log.ts";
import type { LogSink } from "../../../src/runtime/log-file.ts";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

function pieces(chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  const s = new LineSplitter((p) => out.push(Buffer.from(p).toString("latin1")));
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe("LineSplitter", () => {
  test("whole lines keep their newline; a last line without one is left as it is", () => {
    expect(pieces([bytes("a\nbb\nccc")])).toEqual(["a\n", "bb\n", "ccc"]);
  });

  test("a line is cut once 16 KiB of it have come without a newline, as Docker's copier", () => {
    expect(pieces([bytes("x".repeat(MAX_PIECE - 1) + "\n")]).map((p) => p.length)).toEqual([MAX_PIECE]);
    // Exactly 16 KiB: the full buffer goes before the newline is seen, then the newline alone
    expect(pieces([bytes("x".repeat(MAX_PIECE) + "\n")]).map((p) => p.length)).toEqual([MAX_PIECE, 1]);
    expect(pieces([bytes("y".repeat(40_000))]).map((p) => p.length)).toEqual([MAX_PIECE, MAX_PIECE, 40_000 - 2 * MAX_PIECE]);
  });

  test("the same pieces whatever the chunks (byte by byte, odd sizes, one big chunk)", () => {
    const text = bytes(["short", "x".repeat(20_000), "", "z".repeat(MAX_PIECE), "tail"].join("\n"));
    const whole = pieces([text]);
    const single = pieces(Array.from(text, (b) => Uint8Array.of(b)));
    const odd: Uint8Array[] = [];
    for (let i = 0; i < text.length; i += 977) odd.push(text.subarray(i, i + 977));
    expect(single).toEqual(whole);
    expect(pieces(odd)).toEqual(whole);
    expect(whole.join("")).toBe(Buffer.from(text).toString("latin1"));
    expect(Math.max(...whole.map((p) => p.length))).toBeLessThanOrEqual(MAX_PIECE + 1);
  });
});

/** A sink that keeps records (no rotation). */
function collect(): LogSink & { records: string[] } {
  const records: string[] = [];
  return { records, makeRoom: () => Infinity, write: (r) => void records.push(...r.split(/(?<=\n)/)), flush: () => {} };
}

function recordsOf(chunks: Uint8Array[], stream: "stdout" | "stderr" = "stdout"): string[] {
  let tick = 0;
  const sink = collect();
  const r = new StreamRecords(stream, sink, () => `T${tick++}`);
  for (const c of chunks) r.push(c);
  r.end();
  return sink.records;
}

describe("StreamRecords", () => {
  test("Docker's json-file record: log, stream, time, in that order", () => {
    expect(recordsOf([bytes("hello\n")], "stderr")).toEqual(['{"log":"hello\\n","stream":"stderr","time":"T0"}\n']);
    expect(jsonRecord('a"\\\t\u0001', "stdout", "T")).toBe('{"log":"a\\"\\\\\\t\\u0001","stream":"stdout","time":"T"}\n');
  });

  test("the batch path for plain lines writes the same bytes as one record per line", () => {
    const plain = bytes("one\ntwo two\n\nthree\n" + "p".repeat(MAX_PIECE - 1) + "\nrest");
    const reference: string[] = [];
    new LineSplitter((p) => reference.push(jsonRecord(new TextDecoder().decode(p), "stdout", "T0"))).push(plain);
    reference.push(jsonRecord("rest", "stdout", "T1"));
    expect(recordsOf([plain])).toEqual(reference);
  });

  test("a file that cannot be rotated away (no room ever) still gets every record, one batch at a time", () => {
    const written: string[] = [];
    const sink: LogSink = { makeRoom: () => -1, write: (r) => void written.push(r), flush: () => {} };
    new StreamRecords("stdout", sink, () => "T").push(bytes("a\nb\nc\n"));
    expect(written.join("")).toBe(["a", "b", "c"].map((l) => jsonRecord(`${l}\n`, "stdout", "T")).join(""));
    expect(written.length).toBe(3);
  });

  test("a long line: pieces without a newline but the last, all with the first piece's time", () => {
    const line = "L".repeat(2 * MAX_PIECE + 10);
    const recs = recordsOf([bytes(line.slice(0, 20_000)), bytes(line.slice(20_000) + "\n")]).map((r) => parseRecord(r)!);
    expect(recs.map((r) => r.log.length)).toEqual([MAX_PIECE, MAX_PIECE, 11]);
    expect(recs.map((r) => r.log.endsWith("\n"))).toEqual([false, false, true]);
    expect(recs.map((r) => r.time)).toEqual(["T0", "T0", "T0"]);
    expect(recs.map((r) => r.log).join("")).toBe(line + "\n");
  });

  test("a character cut by the 16 KiB boundary is kept whole, in the next piece", () => {
    const line = "a".repeat(MAX_PIECE - 1) + "€uro\n"; // € is 3 bytes: 1 before the cut, 2 after
    const recs = recordsOf([bytes(line)]).map((r) => parseRecord(r)!);
    expect(recs.map((r) => r.log)).toEqual(["a".repeat(MAX_PIECE - 1), "€uro\n"]);
  });

  test("bytes that are not UTF-8 become U+FFFD (as Docker's encoder writes them), and the line stays its own", () => {
    const recs = recordsOf([Uint8Array.of(0x61, 0xff, 0x0a, 0xe2, 0x82, 0x0a, 0x62, 0x0a)]).map((r) => parseRecord(r)!.log);
    expect(recs).toEqual(["a\uFFFD\n", "\uFFFD\n", "b\n"]);
  });

  test("an unfinished character at the end of the stream is not lost silently", () => {
    expect(recordsOf([Uint8Array.of(0x61, 0xe2, 0x82)]).map((r) => parseRecord(r)!.log)).toEqual(["a\uFFFD"]);
  });
});
