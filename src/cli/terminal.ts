// `-t` on the host side. The pty itself is opened by the init or exec stage inside the
// container, on its own devpts instance (so `tty` there says /dev/pts/N, as with runc and
// Docker), and its master comes back over the sync channel. Here: this terminal in raw mode
// (restored on every way out), our keystrokes to the master (Ctrl-C becomes SIGINT inside), its
// output to ours, and the window size following SIGWINCH.
import { writeSync } from "../sys/files.ts";
import type { Sys } from "../sys/sys.ts";
import { RuntimeError } from "../runtime/errors.ts";
import { logTee, type LogTee } from "../runtime/json-log.ts";
import type { RotatingLogFile } from "../runtime/log-file.ts";

export interface TerminalSession {
  /** The master of the pty the container made (a duplicate is kept). */
  onConsole(master: number): void;
  /** Call once the process holds the slave: starts copying. */
  attach(): void;
  /** Waits for the last output, puts the terminal back, closes the pty. */
  close(): Promise<void>;
}

/** `log`: the container's json-file log (run's, not exec's), which gets the pty's output as stdout, as Docker's. */
export function openTerminal(sys: Sys, interactive: boolean, showOutput = true, log?: () => RotatingLogFile): TerminalSession {
  // Docker's rule: only -i with -t needs a terminal on stdin; -t alone gives the program a pty
  // and copies its output (CI jobs run `docker run -t` with no terminal at all)
  if (interactive && !sys.isatty(0)) throw new RuntimeError("the input device is not a TTY: -it needs a terminal on stdin (drop -i or -t, or run it from a terminal)", 1);
  const size = () => sys.getWindowSize(1) ?? sys.getWindowSize(0) ?? { rows: 24, cols: 80 };
  let master = -1;
  let saved: Uint8Array | undefined;
  const restore = () => {
    if (saved) sys.restoreTerminal(0, saved);
    saved = undefined;
  };
  const onWinch = () => { if (master >= 0) sys.setWindowSize(master, size()); };
  let outputDone: Promise<void> = Promise.resolve();
  let sink: RotatingLogFile | undefined;
  let stdinListener: ((d: Buffer) => void) | undefined;
  return {
    onConsole(m) {
      master = sys.dupCloexec(m);
      sys.setWindowSize(master, size());
    },
    attach() {
      if (master < 0) return;
      if (interactive) {
        saved = sys.makeRaw(0);
        process.on("exit", restore);
        stdinListener = (d: Buffer) => { try { writeSync(master, d); } catch { /* the container is gone */ } };
        process.stdin.on("data", stdinListener);
        process.stdin.resume();
      }
      process.on("SIGWINCH", onWinch);
      outputDone = copyOutput(master, showOutput, log && logTee("stdout", () => (sink ??= log())));
    },
    async close() {
      // Once the container's processes are gone the master reads EIO
      await Promise.race([outputDone, Bun.sleep(500)]);
      process.off("SIGWINCH", onWinch);
      if (stdinListener) {
        process.stdin.off("data", stdinListener);
        process.stdin.pause();
        (process.stdin as unknown as { unref?(): void }).unref?.();
      }
      restore();
      process.off("exit", restore);
      if (master >= 0) sys.close(master);
      try { sink?.close(); } catch { /* each chunk was flushed as it came */ }
    },
  };
}

/** show false (run -t -a without stdout): read and dropped, so that the container never blocks on it. */
async function copyOutput(master: number, show: boolean, log?: LogTee): Promise<void> {
  const { ReadStream } = await import("node:tty");
  const stream = new ReadStream(master);
  await new Promise<void>((resolve) => {
    stream.on("data", (d: Buffer) => {
      log?.push(d);
      if (show) try { writeSync(1, d); } catch { /* our stdout is gone */ }
    });
    stream.on("error", () => resolve()); // EIO: no slave left
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
  });
  log?.end();
}
