// Prints log records as `docker logs` does: each on the stream it came from, the pieces of a long
// line one after the other (so the line comes back whole), with -t the time once at the start of
// each line (the pieces of a line carry the time of its first). Output is gathered into writes
// of up to 64 KiB, in order across stdout and stderr, not one write(2) per record.
import { endsLine, type LogLine } from "../../runtime/json-log.ts";

const FLUSH_AT = 64 * 1024;

export class LogPrinter {
  private pending = "";
  private pendingErr = false;
  /** Per stream: the last record printed left its line unfinished. */
  private readonly midLine = { out: false, err: false };

  constructor(private readonly io: { out(text: string): void; err(text: string): void }, private readonly timestamps = false, private readonly keep: (l: LogLine) => boolean = () => true) {}

  readonly line = (l: LogLine): void => {
    if (!this.keep(l)) return;
    const toErr = l.stream === "stderr";
    if (toErr !== this.pendingErr) this.flush();
    this.pendingErr = toErr;
    const side = toErr ? "err" : "out";
    if (this.timestamps && !this.midLine[side]) this.pending += `${nanoFixed(l.time)} `;
    this.midLine[side] = !endsLine(l);
    this.pending += l.log;
    if (this.pending.length >= FLUSH_AT) this.flush();
  };

  readonly flush = (): void => {
    if (!this.pending) return;
    (this.pendingErr ? this.io.err : this.io.out)(this.pending);
    this.pending = "";
  };
}

/** Docker's `logs -t` stamp has 9 fraction digits; logs written before bunbox recorded nanoseconds have 3. */
function nanoFixed(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}Z` : time;
}
