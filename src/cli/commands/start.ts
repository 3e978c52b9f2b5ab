// `bunbox start CONTAINER...`: runs a stopped container again, with its filesystem (its overlay
// upper layer is kept), in the background under a new monitor.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { isRunning } from "../../runtime/lifecycle.ts";
import { startMonitor } from "../../runtime/monitor-client.ts";
import { forEachContainer } from "./each.ts";

export async function startCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("start", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await startContainer(ctx, rec);
    return ref;
  });
}

export async function startContainer(ctx: Context, rec: ContainerRecord): Promise<void> {
  if (isRunning(rec)) return;
  const store = ctx.containers();
  const fresh: ContainerRecord = {
    ...rec, status: "created", pid: undefined, startTime: undefined, exitCode: undefined, finishedAt: undefined,
    oomKilled: undefined, logPath: rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`,
  };
  store.save(fresh);
  await startMonitor(fresh, { sys: ctx.sys(), store });
}
