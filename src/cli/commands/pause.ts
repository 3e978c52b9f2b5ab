// `bunbox pause` / `unpause`: the cgroup freezer (v1 freezer.state, v2 cgroup.freeze).
import type { Context } from "../context.ts";
import { pauseContainer, unpauseContainer } from "../../runtime/lifecycle.ts";
import { forEachContainer } from "./each.ts";

export async function pauseCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("pause", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await pauseContainer(rec);
    return ref;
  });
}

export async function unpauseCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("unpause", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    unpauseContainer(rec);
    return ref;
  });
}
