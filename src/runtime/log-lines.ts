// Cutting a container's output into log messages as Docker's log copier does
// (daemon/logger/copier.go): one message per line, and a line that reaches 16 KiB without a
// newline goes out as a partial message of exactly 16 KiB, then the next piece, and so on. So
// what a container holds back from the log never costs more than 16 KiB of memory per stream,
// and every byte is looked at once (no rescanning of a growing buffer).

/** Docker's defaultBufSize: the most bytes of one line held before a partial message. */
export const MAX_PIECE = 16 * 1024;

export class LineSplitter {
  // The line being read when a chunk ends without its newline (+1: room for that newline)
  private readonly carry = new Uint8Array(MAX_PIECE + 1);
  private held = 0;

  /**
   * `emit` gets each piece: a whole line with its "\n" (at most MAX_PIECE + 1 bytes), a partial
   * piece of MAX_PIECE bytes without one, or at the end what is left. The bytes are only valid
   * during the call (they may be the chunk's own, or the splitter's buffer).
   */
  constructor(private readonly emit: (piece: Uint8Array) => void) {}

  /** No line is half read (the next byte starts a line, or continues one after a partial piece). */
  get idle(): boolean {
    return this.held === 0;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      const contentEnd = nl < 0 ? chunk.length : nl;
      // The common case costs no copy: a short line whole in the chunk
      if (this.held === 0 && nl >= 0 && nl - pos < MAX_PIECE) {
        this.emit(chunk.subarray(pos, nl + 1));
        pos = nl + 1;
        continue;
      }
      const take = Math.min(MAX_PIECE - this.held, contentEnd - pos);
      this.carry.set(chunk.subarray(pos, pos + take), this.held);
      this.held += take;
      pos += take;
      if (this.held === MAX_PIECE) {
        // Full without a newline: Docker sends the partial message before looking further
        this.emit(this.carry.subarray(0, MAX_PIECE));
        this.held = 0;
      } else if (pos === nl) {
        this.carry[this.held++] = 10;
        this.emit(this.carry.subarray(0, this.held));
        this.held = 0;
        pos++;
      }
    }
  }

  /** The stream ended: what is left of a last line without a newline (as Docker, no "\n" added). */
  end(): void {
    if (this.held > 0) this.emit(this.carry.subarray(0, this.held));
    this.held = 0;
  }
}
