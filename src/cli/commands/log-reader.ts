// Reads a container's json log from an offset on, a whole line at a time: `logs` (and -f) and
// `start -a`, which shows only what the new run writes.
import { openSync, readSync, closeSync, fstatSync, statSync } from "../../sys/files.ts";
import { parseLog, type LogLine } from "../../runtime/json-log.ts";

export type { LogLine };

export interface LogReader {
  /** The lines written since the last call (a line still being written waits for the next). */
  readNew(): LogLine[];
  close(): void;
}

/** undefined when there is no log (yet). */
export function openLogReader(path: string, offset = 0): LogReader | undefined {
  let fd: number;
  try { fd = openSync(path, "r"); } catch { return undefined; }
  let pending = "";
  return {
    readNew() {
      const size = fstatSync(fd).size;
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const text = pending + buf.toString("utf8");
      const cut = text.lastIndexOf("\n") + 1;
      pending = text.slice(cut);
      return parseLog(text.slice(0, cut));
    },
    close: () => closeSync(fd),
  };
}

/**
 * Shows what is written until the container stops (or until `until`, ms since the epoch), then
 * what its last moment wrote: `logs -f` and `start -a`.
 */
export async function followLog(reader: LogReader, running: () => boolean, show: (lines: LogLine[]) => void, until?: number): Promise<void> {
  for (;;) {
    const still = running();
    show(reader.readNew());
    if (!still || (until !== undefined && Date.now() >= until)) return;
    await Bun.sleep(50);
  }
}

/** The log's size now: where a reader of only what comes next starts. */
export function logEnd(path: string | undefined): number {
  try { return path ? statSync(path).size : 0; } catch { return 0; }
}
