// `bunbox start CONTAINER...`: runs a stopped container again, with its filesystem (its overlay
// upper layer is kept), in the background under a new monitor.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { isRunning, statusOf } from "../../runtime/lifecycle.ts";
import { startMonitor } from "../../runtime/monitor-client.ts";
import { forEachContainer } from "./each.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { removeTree } from "../../image/remove.ts";

export async function startCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("start", args);
  if (p.help) return 0;
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    if (statusOf(rec) === "paused") throw new RuntimeError(`cannot start a paused container, try unpause instead`, 1);
    await startContainer(ctx, rec);
    return ref;
  });
}

export async function startContainer(ctx: Context, rec: ContainerRecord): Promise<void> {
  if (isRunning(rec)) return;
  // An --rm container is gone once it ends; one still listed lost its watcher (bunbox killed), or
  // is being restarted. Starting the first anew would only have it removed at its end.
  if (rec.autoRemove && !rec.restarting) throw new RuntimeError(`cannot start container ${rec.name}: it was run with --rm, so it is not started again once it has ended: remove it with 'bunbox rm ${rec.name}'`, 1);
  // Its root is a volatile overlay: the kernel leaves work/incompat/volatile at every unmount and
  // refuses to mount that upper layer again while it is there. The last mount ended cleanly (its
  // container was stopped), so nothing of the layer is lost by removing the marker.
  if (rec.autoRemove) removeTree(`${rec.bundle}/work/work/incompat`);
  const store = ctx.containers();
  const fresh: ContainerRecord = {
    ...rec, status: "created", pid: undefined, startTime: undefined, exitCode: undefined, finishedAt: undefined, restarting: undefined,
    oomKilled: undefined, logPath: rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`,
  };
  store.save(fresh);
  await startMonitor(fresh, { sys: ctx.sys(), store });
}
