// `bunbox rm [-f] CONTAINER...`, `bunbox container prune`.
import { readSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import { removeContainer, statusOf } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../spec/errors.ts";
import { forEachContainer } from "./each.ts";
import { bool } from "../values.ts";

export async function rmCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("rm", args);
  if (p.help) return 0;
  const force = bool(p.options.force);
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await removeContainer(ctx.containers(), rec, force);
    return ref;
  }, { missingOk: force });
}

export async function containerCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("container", args);
  if (p.help) return 0;
  if (p.args[0] !== "prune") throw new UsageError(`unknown command "container ${p.args[0] ?? ""}": bunbox container prune [-f]`);
  if (!bool(p.options.force) && !confirm(ctx, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ")) return 0;
  const store = ctx.containers();
  const removed: string[] = [];
  for (const rec of store.list()) {
    if (statusOf(rec) !== "exited" && statusOf(rec) !== "created") continue;
    await removeContainer(store, rec, false);
    removed.push(rec.id);
  }
  ctx.out(`Deleted Containers:\n${removed.map((id) => id + "\n").join("")}\nTotal reclaimed space: 0B\n`);
  return 0;
}

/** Docker's [y/N] prompt: one line from stdin, yes only for y or Y; no input (EOF) is no. */
function confirm(ctx: Context, question: string): boolean {
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
