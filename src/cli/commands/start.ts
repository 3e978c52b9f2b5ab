// `bunbox start CONTAINER...`: runs a stopped container again, with its filesystem (its overlay
// upper layer is kept), in the background under a new monitor.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { isRunning } from "../../runtime/lifecycle.ts";
import { startMonitor } from "../../runtime/monitor-client.ts";
import { forEachContainer } from "./each.ts";
import { RuntimeError } from "../../runtime/errors.ts";

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
  // An --rm container is gone once it ends; one still listed lost its watcher (bunbox killed). Its
  // root was a volatile overlay, which the kernel will not mount again, and starting it anew would
  // only have it removed at its end.
  if (rec.autoRemove) throw new RuntimeError(`cannot start container ${rec.name}: it was run with --rm, so it is not started again once it has ended: remove it with 'bunbox rm ${rec.name}'`, 1);
  const store = ctx.containers();
  const fresh: ContainerRecord = {
    ...rec, status: "created", pid: undefined, startTime: undefined, exitCode: undefined, finishedAt: undefined,
    oomKilled: undefined, logPath: rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`,
  };
  store.save(fresh);
  await startMonitor(fresh, { sys: ctx.sys(), store });
}
