// `bunbox rm [-f] [-v] CONTAINER...`.
import type { Context } from "../context.ts";
import { removeContainer } from "../../runtime/lifecycle.ts";
import { forEachContainer } from "./each.ts";
import { bool } from "../values.ts";

export async function rmCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("rm", args);
  if (p.help) return 0;
  const force = bool(p.options.force), volumes = bool(p.options.volumes);
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await removeContainer(ctx.containers(), rec, force, volumes);
    return ref;
  }, { missingOk: force });
}
