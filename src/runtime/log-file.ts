// The json-file log on disk, rotated as Docker's loggerutils.LogFile rotates it: before a record
// is written, a file that already holds max-size bytes is renamed to <log>.1 (.1 to .2 …, the
// oldest beyond max-file dropped) and a new one started. The files of one log, oldest first:
// <log>.<max-file - 1> … <log>.1, <log>. Writes are batched (one write(2) per chunk the container
// wrote, not per line) into a fixed buffer: the writer's memory does not grow with the output.
import { openSync, closeSync, fstatSync, renameSync, rmSync, statSync } from "../sys/files.ts";
import { writeAll } from "../sys/fsat.ts";
import type { LogLimits } from "../config/log-opts.ts";

/** Where records go, in order; written out at flush (and whenever the buffer fills). */
export interface LogSink {
  /**
   * Rotates first if the live file is full (Docker's check before each record), then says how
   * many bytes of records it takes before it is full again.
   */
  makeRoom(): number;
  /** Whole records, after makeRoom(). */
  write(records: string): void;
  flush(): void;
}

/** The renames that rotate `path` keeping `maxFile` files, in the order they must happen. */
export function rotationRenames(path: string, maxFile: number): [string, string][] {
  const renames: [string, string][] = [];
  // rename(2) replaces the target: the oldest file goes as the next one takes its name
  for (let k = maxFile - 1; k >= 2; k--) renames.push([`${path}.${k - 1}`, `${path}.${k}`]);
  if (maxFile >= 2) renames.push([path, `${path}.1`]);
  return renames;
}

/** The files a log may have, oldest first (not all may exist). */
export function logFileNames(path: string, maxFile: number): string[] {
  const names: string[] = [];
  for (let k = maxFile - 1; k >= 1; k--) names.push(`${path}.${k}`);
  names.push(path);
  return names;
}

/** Records wait here for one write(2); bigger than any one record (~100 KB) plus a batch. */
const BUFFER = 512 * 1024;
const encoder = new TextEncoder();

export class RotatingLogFile implements LogSink {
  private fd: number;
  /** Bytes in the live file, written. */
  private size: number;
  private readonly out = new Uint8Array(BUFFER);
  private used = 0;

  constructor(private readonly path: string, private readonly limits: LogLimits) {
    this.fd = openSync(path, "a", 0o640);
    this.size = fstatSync(this.fd).size;
  }

  makeRoom(): number {
    // What is written plus what waits in the buffer
    if (this.size + this.used >= this.limits.maxSize) {
      this.flush();
      this.rotate();
    }
    return this.limits.maxSize - this.size - this.used;
  }

  write(records: string): void {
    // Closed, or its file could not be opened again after a rotation: dropped (never written to an
    // fd number something else may hold by now)
    if (this.fd < 0) return;
    for (;;) {
      const r = encoder.encodeInto(records, this.out.subarray(this.used));
      this.used += r.written;
      if (r.read === records.length) break;
      this.flush();
      records = records.slice(r.read);
    }
    if (this.used >= BUFFER / 2) this.flush();
  }

  flush(): void {
    if (this.used === 0) return;
    if (this.fd < 0) {
      this.used = 0;
      return;
    }
    try {
      writeAll(this.fd, this.out.subarray(0, this.used));
      this.size += this.used;
    } catch {
      // A full disk (or a removed container) loses these lines, as Docker's driver drops a
      // message it cannot write; the container is never held up by its log
    }
    this.used = 0;
  }

  private rotate(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    try {
      const renames = rotationRenames(this.path, this.limits.maxFile);
      for (const [from, to] of renames) {
        try { renameSync(from, to); } catch { /* fewer files so far */ }
      }
      // One file only: a new inode rather than Docker's truncation, so that a `logs -f` holding
      // the old one reads it to its end before it moves on
      if (renames.length === 0) rmSync(this.path, { force: true });
    } finally {
      // A full disk or a removed container: the rest of the output is not logged (as above)
      try {
        this.fd = openSync(this.path, "a", 0o640);
        this.size = fstatSync(this.fd).size;
      } catch {
        this.fd = -1;
      }
    }
  }

  /** Once: what comes after is dropped (a relay still copying past its drain timeout). */
  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Where a log's live file ends now (its identity and size): `start -a` shows what comes after. */
export function logEnd(path: string | undefined): { ino: bigint; offset: number } | undefined {
  if (!path) return undefined;
  try {
    const st = statSync(path, { bigint: true });
    return { ino: st.ino, offset: Number(st.size) };
  } catch {
    return undefined;
  }
}
