// Where `logs --tail N` starts: found by reading the log backwards from its end, a chunk at a
// time, into older rotated files only as far as needed, so the time and memory it takes follow
// N, not the size of the log. A line is what the reader joins back: a record whose text ends
// with "\n" ends one, the pieces before it (16 KiB each, no "\n") belong to it, and a last record
// without "\n" (a line still being written) counts as a line too.
import * as fs from "../../sys/fsat.ts";
import { parseRecord, endsLine, type LogLine } from "../../runtime/json-log.ts";
import { CHUNK, listLogFiles, openLogFile, type LogPosition } from "./log-reader.ts";

const decoder = new TextDecoder();

/**
 * The position of the n-th last line `keep` accepts (the whole log if it has fewer); undefined
 * when there is no log.
 */
export function tailStart(path: string, maxFile: number, n: number, keep: (l: LogLine) => boolean): LogPosition | undefined {
  const buf = new Uint8Array(CHUNK);
  const opened: LogPosition[] = [];
  let chosen: LogPosition | undefined;
  try {
    let count = 0, seeking = false, newest = true, finished = false;
    const files = listLogFiles(path, maxFile);
    // Newest first; the n-th line may have begun in an older file (a rotation between its pieces)
    for (let i = files.length - 1; i >= 0 && !finished; i--) {
      const pos = openLogFile(files[i]!.name, files[i]!.ino);
      if (!pos) continue; // rotated away while we looked: older files follow
      opened.push(pos);
      const end = lineStartAtOrBefore(pos.fd, fs.fstat(pos.fd).size, buf);
      if (n === 0) {
        pos.offset = end;
        chosen = pos;
        break;
      }
      finished = scanBack(pos.fd, end, buf, (text, at) => {
        const l = parseRecord(text);
        if (!l) return false; // not a record: neither a line nor a boundary
        const last = newest;
        newest = false;
        if (seeking) {
          // The line before the n-th: it starts after this record
          if (endsLine(l) || !keep(l)) return true;
          pos.offset = at; // an earlier piece of the n-th line
          chosen = pos;
          return false;
        }
        if (!keep(l) || !(endsLine(l) || last)) return false;
        if (++count === n) {
          seeking = true;
          pos.offset = at;
          chosen = pos;
        }
        return false;
      });
    }
    // Fewer than n lines: all of them
    chosen ??= opened.length ? { ...opened[opened.length - 1]!, offset: 0 } : undefined;
    return chosen;
  } finally {
    for (const p of opened) if (p.fd !== chosen?.fd) fs.close(p.fd);
  }
}

/**
 * Calls `each` with the complete records of fd before `end` (just past a newline), the last
 * first, and where each starts, until it returns true (then true).
 */
export function scanBack(fd: number, end: number, buf: Uint8Array, each: (text: string, at: number) => boolean): boolean {
  let hi = end;
  while (hi > 0) {
    const lo = Math.max(0, hi - buf.length);
    const n = fs.pread(fd, buf, 0, hi - lo, lo);
    if (n < hi - lo) return false; // the file shrank under us
    const chunk = buf.subarray(0, n);
    let stop = n - 1; // the newline that ends the record looked at
    while (stop > 0) {
      const prev = chunk.lastIndexOf(10, stop - 1);
      if (prev < 0) break;
      if (each(decoder.decode(chunk.subarray(prev + 1, stop)), lo + prev + 1)) return true;
      stop = prev;
    }
    if (lo === 0) return stop > 0 && each(decoder.decode(chunk.subarray(0, stop)), 0);
    // The record that ends at `stop` began before this chunk: read again from its end, unless it
    // is longer than a chunk (a log from before 16 KiB pieces), which is skipped
    hi = stop === n - 1 ? lineStartAtOrBefore(fd, lo + stop, buf) : lo + stop + 1;
  }
  return false;
}

/** The largest p <= pos where a line starts (0, or just past a newline). */
export function lineStartAtOrBefore(fd: number, pos: number, buf: Uint8Array): number {
  let hi = pos;
  while (hi > 0) {
    const lo = Math.max(0, hi - buf.length);
    const n = fs.pread(fd, buf, 0, hi - lo, lo);
    const i = buf.subarray(0, n).lastIndexOf(10);
    if (i >= 0) return lo + i + 1;
    hi = lo;
  }
  return 0;
}
