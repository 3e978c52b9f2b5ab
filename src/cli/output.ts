// Writing to stdout/stderr. Deliberately not process.stdout/process.stderr: touching either
// builds Node's stream objects, which costs about 18 ms at start and more at exit (measured on
// Bun 1.4.5), and bunbox starts several times per container. Plain write(2) on fds 1 and 2.
import { writeSync } from "../sys/files.ts";

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off);
    } catch (e) {
      // A non-blocking pipe that is full: wait a little and go on
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Bun.sleepSync(1);
    }
  }
}

export const writeOut = (text: string): void => writeAll(1, text);
export const writeErr = (text: string): void => writeAll(2, text);
/** Loads node:tty only when asked: importing it costs ~5 ms of start-up (measured). */
export async function stderrIsTTY(): Promise<boolean> {
  return (await import("node:tty")).isatty(2);
}
