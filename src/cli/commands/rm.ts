// `bunbox rm [-f] CONTAINER...`, `bunbox container prune`.
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
  });
}

export async function containerCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("container", args);
  if (p.help) return 0;
  if (p.args[0] !== "prune") throw new UsageError(`unknown command "container ${p.args[0] ?? ""}": bunbox container prune [-f]`);
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
