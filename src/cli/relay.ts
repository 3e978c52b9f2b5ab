// Copies an attached container's output to bunbox's stdout and stderr, and (with -i) bunbox's
// stdin to the container, over pipes: the container never holds the user's terminal or files
// (see RUN_STDIO). Backpressure end to end: a chunk is written out before the next is read, so a
// slow reader of bunbox's output slows the container instead of filling memory; a reader that
// goes away (EPIPE: `| head -1`) closes the container's pipe, and its next write gets EPIPE or
// SIGPIPE, as it would have without bunbox in between.
import { writeSync, closeSync } from "../sys/files.ts";
import type { RelayEnds } from "../runtime/spawn-init.ts";
import { logTee, type LogTee } from "../runtime/json-log.ts";
import type { RotatingLogFile } from "../runtime/log-file.ts";

export interface Relay {
  /** Both outputs copied to their end (EOF: every process of the container has closed them). */
  drained(timeoutMs: number): Promise<void>;
  /** Stops copying stdin (the container has ended); closes the write end. */
  stopInput(): void;
}

/**
 * `show`: which outputs reach bunbox's own (run -a); the others are read and dropped. `log`: the
 * container's json-file log, opened when its first output arrives (its bundle is made by then),
 * which gets both outputs whatever is shown, as Docker logs an attached container's.
 */
export function startRelay(ends: RelayEnds, interactive: boolean, show = { stdout: true, stderr: true }, log?: () => RotatingLogFile): Relay {
  let sink: RotatingLogFile | undefined;
  const open = () => (sink ??= log!());
  const outputs = [copyOut(ends.stdout, show.stdout ? 1 : undefined, log && logTee("stdout", open)), copyOut(ends.stderr, show.stderr ? 2 : undefined, log && logTee("stderr", open))];
  const input = interactive ? copyIn(ends.stdin) : (closeSync(ends.stdin), { stop() {} });
  return {
    async drained(timeoutMs) {
      // PID 1's end takes the whole pid namespace with it, so EOF follows at once; the bound is
      // for a kernel that is slow to tear it down, not for an expected wait
      await Promise.race([Promise.all(outputs), Bun.sleep(timeoutMs)]);
      try { sink?.close(); } catch { /* written already: each chunk is flushed */ }
    },
    stopInput: () => input.stop(),
  };
}

/** `to` undefined: the stream is not attached; it is drained so that the container never blocks on it. */
async function copyOut(from: number, to: number | undefined, log?: LogTee): Promise<void> {
  const reader = Bun.file(from).stream().getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      // Logged first: what the container wrote is in its log even if bunbox's reader has gone
      log?.push(value);
      if (to !== undefined && !writeAll(to, value)) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // a read error ends the copy like EOF
  } finally {
    log?.end();
    // Bun's stream does not close the fd it reads; closing ours gives the container EPIPE
    closeSync(from);
  }
}

/** Writes all of `data`; false if the reader has gone (EPIPE). */
function writeAll(fd: number, data: Uint8Array): boolean {
  for (let off = 0; off < data.length;) {
    try {
      off += writeSync(fd, data, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") { Bun.sleepSync(1); continue; }
      return false;
    }
  }
  return true;
}

/** bunbox's stdin to the container's (non-blocking) pipe, until EOF, EPIPE or stop(). */
function copyIn(to: number): { stop(): void } {
  let stopped = false, closed = false;
  const close = () => { if (!closed) { closed = true; closeSync(to); } };
  void (async () => {
    try {
      for await (const chunk of Bun.stdin.stream()) {
        for (let off = 0; off < chunk.length && !stopped;) {
          try {
            off += writeSync(to, chunk, off);
          } catch (e) {
            // A full pipe: the container has not read yet; wait without blocking the relay
            if ((e as NodeJS.ErrnoException).code === "EAGAIN") { await Bun.sleep(2); continue; }
            return;
          }
        }
        if (stopped) return;
      }
    } catch {
      // stdin unreadable: the container sees EOF
    } finally {
      // EOF on bunbox's stdin is EOF on the container's, as with docker run -i
      close();
    }
  })();
  return { stop() { stopped = true; close(); } };
}
