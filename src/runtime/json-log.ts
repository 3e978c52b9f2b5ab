// Docker's json-file log: one JSON object per line, {"log": "<line>\n", "stream": "stdout",
// "time": "<RFC 3339 with nanoseconds>"}, so `logs -t` can show when each line was written.
import { openSync, writeSync, closeSync } from "../sys/files.ts";
import { realtimeNs, rfc3339NanoFixed } from "../sys/clock.ts";

export class JsonLog {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, "a", 0o640);
  }

  /** Copies a stream into the log, line by line (a partial last line is written at EOF). */
  async pump(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr"): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        this.write(pending.slice(0, nl + 1), name);
        pending = pending.slice(nl + 1);
      }
    }
    pending += decoder.decode();
    if (pending) this.write(pending, name);
  }

  private write(line: string, stream: string): void {
    writeSync(this.fd, JSON.stringify({ log: line, stream, time: rfc3339NanoFixed(realtimeNs()) }) + "\n");
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface LogLine { log: string; stream: "stdout" | "stderr"; time: string }

export function parseLog(text: string): LogLine[] {
  return text.split("\n").filter(Boolean).flatMap((l) => {
    try { return [JSON.parse(l) as LogLine]; } catch { return []; }
  });
}
