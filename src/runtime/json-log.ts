// Docker's json-file records, one JSON object per line: {"log": "<text>", "stream": "stdout",
// "time": "<RFC 3339>"}. A line longer than 16 KiB is several records (log-lines.ts), exactly as
// Docker 20.10's json-file writes it: json-file keeps no partial flag of its own, a piece is
// "partial" by having no "\n" at the end of its `log` (marshalMessage adds the newline to the
// last piece only), and every piece carries the time of the first, so a reader that joins pieces
// (docker logs writes them one after the other) gets the line back. One difference, on purpose:
// Docker cuts at exactly 16384 bytes and its encoder turns a character cut in two into two
// U+FFFD; bunbox decodes across the cut, so a piece ends before a character the next completes.
import { LineSplitter, MAX_PIECE } from "./log-lines.ts";
import type { LogSink } from "./log-file.ts";
import { realtimeNs, rfc3339NanoFixed } from "../sys/clock.ts";

export type StreamName = "stdout" | "stderr";

export interface LogLine { log: string; stream: StreamName; time: string }

/** One record, as Docker's MarshalJSONBuf orders the fields. */
export function jsonRecord(text: string, stream: StreamName, time: string): string {
  return `{"log":${JSON.stringify(text)},"stream":"${stream}","time":"${time}"}\n`;
}

/** A piece ends its line when its text ends with the newline (Docker's json-file convention). */
export const endsLine = (l: LogLine): boolean => l.log.endsWith("\n");

/** Text that is its own JSON string body: printable ASCII without quote or backslash, and newlines. */
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e\n]*$/;
/** A batch of records goes out once it is this big (the sink's buffer takes it whole). */
const BATCH = 128 * 1024;

/** One of the container's streams turned into records: bytes in, records to the sink. */
export class StreamRecords {
  // Invalid UTF-8 becomes U+FFFD, as Docker's encoder writes it; stream mode keeps a character
  // cut by a 16 KiB boundary whole for the next piece
  private readonly decoder = new TextDecoder();
  private readonly splitter = new LineSplitter((piece) => this.piece(piece));
  /** The time of the first piece of the line being written, for the pieces after it. */
  private lineTime: string | undefined;
  private chunkTime = "";
  private last = false;

  constructor(private readonly stream: StreamName, private readonly sink: LogSink, private readonly now: () => string = () => rfc3339NanoFixed(realtimeNs())) {}

  /** A chunk as read from the pipe: its lines arrived together and get one time. */
  push(chunk: Uint8Array): void {
    this.chunkTime = this.now();
    let rest = chunk;
    // At a line's start, the whole lines of the chunk may go as one batch (what `yes` writes)
    if (this.splitter.idle && this.lineTime === undefined) {
      const end = chunk.lastIndexOf(10) + 1;
      if (end > 0 && this.plainLines(chunk.subarray(0, end))) rest = chunk.subarray(end);
    }
    this.splitter.push(rest);
    this.sink.flush();
  }

  end(): void {
    this.chunkTime = this.now();
    this.last = true;
    this.splitter.end();
    // Bytes of a character the stream never finished
    const rest = this.decoder.decode();
    if (rest) this.record(rest, this.lineTime ?? this.chunkTime);
    this.sink.flush();
  }

  private piece(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: !this.last });
    const time = this.lineTime ?? this.chunkTime;
    this.lineTime = bytes[bytes.length - 1] === 10 ? undefined : time;
    if (text) this.record(text, time);
  }

  private record(text: string, time: string): void {
    this.sink.makeRoom();
    this.sink.write(jsonRecord(text, this.stream, time));
  }

  /**
   * Whole lines of plain text, each shorter than a piece, as records built by joining: the same
   * bytes as one jsonRecord per line, at a fraction of the cost. False (nothing written) for
   * anything else, which goes through the splitter.
   */
  private plainLines(region: Uint8Array): boolean {
    // Plain text is ASCII: one byte per character, so lengths below are byte counts too
    const text = Buffer.from(region.buffer, region.byteOffset, region.length).toString("latin1");
    if (!PLAIN.test(text)) return false;
    const lines = text.split("\n");
    lines.pop(); // after the last newline
    for (const l of lines) if (l.length >= MAX_PIECE) return false;
    const head = `{"log":"`, tail = `\\n","stream":"${this.stream}","time":"${this.chunkTime}"}\n`;
    const fixed = head.length + tail.length;
    for (let i = 0; i < lines.length;) {
      // Docker's check before each record: the file rotates once it holds max-size
      const room = this.sink.makeRoom();
      let j = i, bytes = 0;
      // At least one record each time: a file that could not be rotated away still gets written
      while (j < lines.length && (j === i || (bytes < room && bytes < BATCH))) bytes += fixed + lines[j++]!.length;
      this.sink.write(head + lines.slice(i, j).join(tail + head) + tail);
      i = j;
    }
    return true;
  }
}

/** Where an attached container's stream goes beside the screen (cli/relay.ts, cli/terminal.ts). */
export interface LogTee {
  push(chunk: Uint8Array): void;
  end(): void;
}

/**
 * One stream of an attached container into its log: the log opened by the first chunk (the
 * bundle exists by then), and given up, never the output, if it cannot be written.
 */
export function logTee(stream: StreamName, open: () => LogSink): LogTee {
  let records: StreamRecords | undefined, broken = false;
  const guarded = (f: () => void) => {
    if (broken) return;
    try { f(); } catch { broken = true; }
  };
  return {
    push: (chunk) => guarded(() => (records ??= new StreamRecords(stream, open())).push(chunk)),
    end: () => guarded(() => records?.end()),
  };
}

/** Copies a stream into the log until it ends (the pipe gives chunks of at most 256 KiB). */
export async function pumpToLog(stream: ReadableStream<Uint8Array>, name: StreamName, sink: LogSink): Promise<void> {
  const records = new StreamRecords(name, sink);
  for await (const chunk of stream) records.push(chunk);
  records.end();
}

/** A record of the log, or undefined for a line that is not one (a torn or foreign line). */
export function parseRecord(line: string): LogLine | undefined {
  try {
    const l = JSON.parse(line) as LogLine;
    return typeof l?.log === "string" ? l : undefined;
  } catch {
    return undefined;
  }
}
