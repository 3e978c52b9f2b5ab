// `bunbox gc`
import type { Context } from "../context.ts";
import { collectGarbage } from "../../runtime/gc.ts";

export async function gcCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("gc", args);
  if (p.help) return 0;
  const r = await collectGarbage(ctx.containers(), ctx.paths.containers, ctx.cgroupHost());
  for (const id of r.removed) ctx.out(`removed container ${id}\n`);
  for (const f of r.files) ctx.out(`removed ${f}\n`);
  for (const c of r.cgroups) ctx.out(`removed cgroup ${c}\n`);
  // Imports killed mid-extraction (Ctrl-C, kill -9) left their temp dirs
  for (const t of ctx.imageStore().removeStaleTemps()) ctx.out(`removed ${t}\n`);
  return 0;
}
