// `-t` on the host side: a new pty for the container, this terminal in raw mode (restored on
// every way out), keystrokes to the pty (Ctrl-C becomes SIGINT inside), its output to ours,
// and the window size following SIGWINCH.
import { writeSync } from "node:fs";
import type { Sys } from "../sys/kernel.ts";
import { RuntimeError } from "../runtime/errors.ts";

export interface TerminalSession {
  /** The pty's slave side: the container's stdin, stdout and stderr. */
  slave: number;
  /** Call once the container's process holds the slave: starts copying. */
  attach(): void;
  /** Waits for the last output, puts the terminal back, closes the pty. */
  close(): Promise<void>;
}

export function openTerminal(sys: Sys, interactive: boolean): TerminalSession {
  if (!sys.isatty(0)) throw new RuntimeError("the input device is not a TTY: -t needs a terminal on stdin (drop -t, or run it from a terminal)", 1);
  const size = sys.getWindowSize(1) ?? sys.getWindowSize(0) ?? { rows: 24, cols: 80 };
  const { master, slave } = sys.openpty(size.rows, size.cols);
  let saved: Uint8Array | undefined;
  const restore = () => {
    if (saved) sys.restoreTerminal(0, saved);
    saved = undefined;
  };
  const onWinch = () => {
    const s = sys.getWindowSize(1) ?? sys.getWindowSize(0);
    if (s) sys.setWindowSize(master, s);
  };
  let outputDone: Promise<void> = Promise.resolve();
  let stdinListener: ((d: Buffer) => void) | undefined;
  return {
    slave,
    attach() {
      sys.close(slave);
      if (interactive) {
        saved = sys.makeRaw(0);
        process.on("exit", restore);
        stdinListener = (d: Buffer) => { try { writeSync(master, d); } catch { /* the container is gone */ } };
        process.stdin.on("data", stdinListener);
        process.stdin.resume();
      }
      process.on("SIGWINCH", onWinch);
      outputDone = copyOutput(master);
    },
    async close() {
      // The slave is closed once the container's processes are gone: the master then reads EIO
      await Promise.race([outputDone, Bun.sleep(500)]);
      process.off("SIGWINCH", onWinch);
      if (stdinListener) {
        process.stdin.off("data", stdinListener);
        process.stdin.pause();
        (process.stdin as unknown as { unref?(): void }).unref?.();
      }
      restore();
      process.off("exit", restore);
      sys.close(master);
    },
  };
}

async function copyOutput(master: number): Promise<void> {
  const { ReadStream } = await import("node:tty");
  const stream = new ReadStream(master);
  await new Promise<void>((resolve) => {
    stream.on("data", (d: Buffer) => { try { writeSync(1, d); } catch { /* our stdout is gone */ } });
    stream.on("error", () => resolve()); // EIO: no slave left
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
  });
}
