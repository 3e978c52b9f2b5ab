// Reads a container's json log forward, a chunk at a time (never a whole file), from a position
// on and across its rotated files: `logs` (and -f) and `start -a`, which shows only what the new
// run writes. Following survives rotation without losing or repeating a record: the reader holds
// the file it reads open, and once the log's path names another file, it reads the one it holds
// to its end (the writer renames a file only after its last write) and goes on with the next.
import * as fs from "../../sys/fsat.ts";
import { parseRecord, type LogLine } from "../../runtime/json-log.ts";
import { logFileNames } from "../../runtime/log-file.ts";
import { logLimits } from "../../config/log-opts.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { AT, O } from "../../sys/constants.ts";

export type { LogLine };

/**
 * Bytes read at a time, and the longest record a reader keeps: bunbox writes records of at most
 * ~100 KB (16 KiB pieces); a longer line (a log from before pieces) is skipped, not loaded.
 */
export const CHUNK = 1 << 20;

/** An open file of the log, its identity, and where reading goes on. */
export interface LogPosition { fd: number; ino: bigint; offset: number }

const decoder = new TextDecoder();

/** How many files the container's log keeps (its --log-opt max-file). */
export function maxFileOf(rec: Pick<ContainerRecord, "logConfig">): number {
  try { return logLimits(rec.logConfig).maxFile; } catch { return logLimits(undefined).maxFile; }
}

/** The log's files that exist now, oldest first, with their inodes. */
export function listLogFiles(path: string, maxFile: number): { name: string; ino: bigint }[] {
  return logFileNames(path, maxFile).flatMap((name) => {
    try { return [{ name, ino: fs.stat(name).ino }]; } catch { return []; }
  });
}

/** Opens `name` if it is still the file `ino` (a rotation may have moved it since it was listed). */
export function openLogFile(name: string, ino: bigint, offset = 0): LogPosition | undefined {
  let fd: number;
  try { fd = fs.openat(AT.FDCWD, name, O.RDONLY); } catch { return undefined; }
  if (fs.fstat(fd).ino === ino) return { fd, ino, offset };
  fs.close(fd);
  return undefined;
}

/** The start of the log (its oldest file); undefined when it has none (yet). */
export function openOldest(path: string, maxFile: number): LogPosition | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    const first = listLogFiles(path, maxFile)[0];
    if (!first) return undefined;
    const pos = openLogFile(first.name, first.ino);
    if (pos) return pos;
  }
  return undefined;
}

/** `end` (logEnd before a start), or the oldest file if that one has been rotated away since. */
export function openAt(path: string, maxFile: number, end: { ino: bigint; offset: number } | undefined): LogPosition | undefined {
  const file = end && listLogFiles(path, maxFile).find((f) => f.ino === end.ino);
  return (file && openLogFile(file.name, file.ino, end!.offset)) ?? openOldest(path, maxFile);
}

/** The file written after the one `ino` names (the oldest there is if that one is gone). */
function successor(path: string, maxFile: number, ino: bigint): LogPosition | undefined {
  for (let attempt = 0; attempt < 5; attempt++) {
    const files = listLogFiles(path, maxFile);
    const i = files.findIndex((f) => f.ino === ino);
    // Not there any more: everything left is newer (what rotated away in between is lost, as in Docker)
    const next = i >= 0 ? files[i + 1] : files[0];
    if (!next) return undefined;
    const pos = openLogFile(next.name, next.ino);
    if (pos) return pos;
  }
  return undefined;
}

/**
 * Calls `each` for every complete record of fd from `offset` on, a chunk at a time; returns the
 * offset after the last (a record still being written is read again next time).
 */
export function readRecords(fd: number, offset: number, buf: Uint8Array, each: (line: LogLine) => void): number {
  for (;;) {
    const n = fs.pread(fd, buf, 0, buf.length, offset);
    const last = buf.subarray(0, n).lastIndexOf(10);
    if (last < 0) {
      if (n < buf.length) return offset;
      // A line longer than any record bunbox writes: skip to its end, if it has one yet
      const end = nextLineStart(fd, offset + n, buf);
      if (end === undefined) return offset;
      offset = end;
      continue;
    }
    for (const line of decoder.decode(buf.subarray(0, last)).split("\n")) {
      const rec = parseRecord(line);
      if (rec) each(rec);
    }
    offset += last + 1;
  }
}

/** Just past the next newline at or after `pos`; undefined if there is none (yet). */
function nextLineStart(fd: number, pos: number, buf: Uint8Array): number | undefined {
  for (;;) {
    const n = fs.pread(fd, buf, 0, buf.length, pos);
    if (n === 0) return undefined;
    const i = buf.subarray(0, n).indexOf(10);
    if (i >= 0) return pos + i + 1;
    pos += n;
  }
}

export class LogReader {
  private readonly buf = new Uint8Array(CHUNK);

  constructor(private readonly path: string, private readonly maxFile: number, private pos: LogPosition) {}

  /** Calls `each` for every record written since the last call, through rotations. */
  readNew(each: (line: LogLine) => void): void {
    for (;;) {
      // Looked at before the read: a rename seen here happened after the file's last write
      let live: bigint | undefined;
      try { live = fs.stat(this.path).ino; } catch { /* between a removal and a new file */ }
      this.pos.offset = readRecords(this.pos.fd, this.pos.offset, this.buf, each);
      if (live === undefined || live === this.pos.ino) return;
      const next = successor(this.path, this.maxFile, this.pos.ino);
      if (!next) return;
      fs.close(this.pos.fd);
      this.pos = next;
    }
  }

  close(): void {
    fs.close(this.pos.fd);
  }
}

/**
 * Shows what is written until the container stops (or until `until`, ms since the epoch), then
 * what its last moment wrote: `logs -f` and `start -a`.
 */
export async function followLog(reader: LogReader, running: () => boolean, show: (line: LogLine) => void, flush: () => void, until?: number): Promise<void> {
  for (;;) {
    const still = running();
    reader.readNew(show);
    flush();
    if (!still || (until !== undefined && Date.now() >= until)) return;
    await Bun.sleep(50);
  }
}
