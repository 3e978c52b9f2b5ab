// Docker's [y/N] confirmation of the prune commands.
import { readSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";

/** Docker's [y/N] prompt: one line from stdin, yes only for y or Y; no input (EOF) is no. */
export function confirm(ctx: Context, question: string): boolean {
  ctx.out(question);
  const answer = readLine(0).trim();
  if (answer === "") ctx.out("\n");
  return answer === "y" || answer === "Y";
}

function readLine(fd: number): string {
  const byte = Buffer.alloc(1);
  let line = "";
  for (;;) {
    let n = 0;
    try { n = readSync(fd, byte, 0, 1, null); } catch { return line; }
    if (n === 0 || byte[0] === 0x0a) return line;
    line += String.fromCharCode(byte[0]!);
  }
}
