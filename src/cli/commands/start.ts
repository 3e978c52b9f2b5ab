// `bunbox start CONTAINER...`: runs a stopped container again, with its filesystem (its overlay
// upper layer is kept), in the background under a new monitor.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { isRunning, isRestarting, permit, recordExitIfUnwatched, coreStatusOf, startCreated, execFifoOf } from "../../runtime/lifecycle.ts";
import { rmSync } from "../../sys/files.ts";
import { LogReader, followLog, maxFileOf, openAt } from "./log-reader.ts";
import { LogPrinter } from "./log-printer.ts";
import { logEnd } from "../../runtime/log-file.ts";
import { bool } from "../values.ts";
import { ArgumentCountError } from "../../config/errors.ts";
import { NotFound } from "../../state/containers.ts";
import { forwardSignals } from "../../runtime/supervise.ts";
import { startMonitor } from "../../runtime/monitor-client.ts";
import { forEachContainer } from "./each.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { removeTree } from "../../sys/remove-tree.ts";
import { isAlive } from "../../state/proc.ts";

export async function startCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("start", args);
  if (p.help) return 0;
  if (bool(p.options.attach)) {
    if (p.args.length > 1) throw new ArgumentCountError("you cannot start and attach multiple containers at once");
    return startAttached(ctx, ctx.containers().resolve(String(p.args[0])));
  }
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await startContainer(ctx, rec);
    return ref;
  });
}

export async function startContainer(ctx: Context, rec: ContainerRecord): Promise<void> {
  const status = coreStatusOf(rec);
  // Running: nothing to do; paused: refused. Restarting counts as running (its monitor starts it)
  if (permit(rec, "run", status) === "noop" || isRestarting(rec)) return;
  // Made by `bunbox create`: its init waits for this on the exec fifo
  if (status === "created") return startCreated(ctx.containers(), rec);
  // An --rm container is gone once it ends; one still listed lost its watcher (bunbox killed), or
  // is being restarted. Starting the first anew would only have it removed at its end.
  // (one made by `bunbox create --rm` that never ran starts as any created container does)
  if (rec.autoRemove && !rec.restarting && !(rec.manualStart && rec.startedAt === undefined)) throw new RuntimeError(`cannot start container ${rec.name}: it was run with --rm, so it is not started again once it has ended: remove it with 'bunbox rm ${rec.name}'`, 1);
  // Its root is a volatile overlay: the kernel leaves work/incompat/volatile at every unmount and
  // refuses to mount that upper layer again while it is there. The last mount ended cleanly (its
  // container was stopped), so nothing of the layer is lost by removing the marker.
  if (rec.autoRemove) removeTree(`${rec.bundle}/work/work/incompat`);
  // An exec fifo left by a create whose init is gone (a reboot): the new init must not read as created
  rmSync(execFifoOf(rec), { force: true });
  const store = ctx.containers();
  const fresh: ContainerRecord = {
    ...rec, status: "created", pid: undefined, startTime: undefined, exitCode: undefined, finishedAt: undefined, restarting: undefined,
    oomKilled: undefined, logPath: rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`,
    // Started by hand: the restart policy applies afresh (Docker resets its count)
    restartCount: undefined, restartPending: undefined, stopRequested: undefined, killedByUser: undefined, startError: undefined,
  };
  store.save(fresh);
  await startMonitor(fresh, { sys: ctx.sys(), store }, { start: true });
}

/**
 * start -a: the new run's output (from its log, from where the last run's ends) on ours until it
 * ends, then its exit status; SIGINT/SIGTERM/... sent to bunbox reach it, as with docker start -a.
 */
async function startAttached(ctx: Context, rec: ContainerRecord): Promise<number> {
  const store = ctx.containers();
  const from = logEnd(rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`);
  // Held as `wait` holds it: an --rm container's status is read before it goes
  const release = store.holdForWaiter(rec.id);
  if (!release) throw new NotFound(`No such container: ${rec.name}`);
  let released = false;
  const releaseOnce = () => { if (!released) { released = true; release(); } };
  try {
    await startContainer(ctx, rec);
  } catch (e) {
    releaseOnce();
    throw e;
  }
  const started = store.load(rec.id) ?? rec;
  const stopForwarding = started.pid ? forwardSignals(started.pid) : () => {};
  const maxFile = maxFileOf(started);
  const at = started.logPath ? openAt(started.logPath, maxFile, from) : undefined;
  const reader = at && started.logPath ? new LogReader(started.logPath, maxFile, at) : undefined;
  const printer = new LogPrinter(ctx);
  try {
    if (reader) await followLog(reader, () => isRunning(store.load(rec.id) ?? started), printer.line, printer.flush);
    else while (isRunning(store.load(rec.id) ?? started)) await Bun.sleep(50);
    await recordExitIfUnwatched(store, rec.id);
    const ended = store.load(rec.id);
    const exitCode = ended?.exitCode ?? 0;
    // The monitor records the end first and copies the last of the output after: its own end says
    // the log is whole (seen under emulation: exit 4 printed with none of the run's output). The
    // status is read, so an --rm container may go now (its monitor waits for that); the log stays
    // readable through the open fd. Bounded: a --restart policy keeps the monitor alive
    releaseOnce();
    for (const deadline = Date.now() + 5_000; ended?.watcherPid && isAlive(ended.watcherPid, ended.watcherStart) && Date.now() < deadline;) {
      if (isRunning(store.load(rec.id) ?? ended)) break;
      await Bun.sleep(20);
    }
    if (reader) {
      reader.readNew(printer.line);
      printer.flush();
    }
    return exitCode;
  } finally {
    reader?.close();
    stopForwarding();
    releaseOnce();
  }
}
