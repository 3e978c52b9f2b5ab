// `bunbox pause` / `unpause`: the cgroup freezer (v1 freezer.state, v2 cgroup.freeze).
import type { Context } from "../context.ts";
import { freeze, thaw, statusOf } from "../../runtime/lifecycle.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { forEachContainer } from "./each.ts";

export async function pauseCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("pause", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    const s = statusOf(rec);
    if (s === "paused") throw new RuntimeError(`container ${rec.name} is already paused`, 1);
    if (s !== "running") throw new RuntimeError(`container ${rec.name} is not running`, 1);
    await freeze(rec);
    return ref;
  });
}

export async function unpauseCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("unpause", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    if (statusOf(rec) !== "paused") throw new RuntimeError(`container ${rec.name} is not paused`, 1);
    thaw(rec);
    return ref;
  });
}
