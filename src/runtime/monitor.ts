// The monitor stage of a detached container: starts it (the same engine as an attached run),
// copies its output into the json log, tells the CLI it runs, then waits for its end and
// records it. One small process per detached container, in its own session; see README for
// what it costs.
import { readFileSync, closeSync, rmSync } from "../sys/files.ts";
import type { Sys } from "../sys/sys.ts";
import { PR } from "../sys/constants.ts";
import { ContainerStore, type ContainerRecord } from "../state/containers.ts";
import { RestartLoop } from "./restart-loop.ts";
import { parseCgroupHost } from "../cgroups/layout.ts";
import { probeHost } from "../host/probe.ts";
import { superviseContainer, OomKilled } from "./supervise.ts";
import { SyncChannel } from "./sync.ts";
import { pumpToLog } from "./json-log.ts";
import { RotatingLogFile } from "./log-file.ts";
import { logLimits, type LogLimits } from "../config/log-opts.ts";
import { RuntimeError } from "./errors.ts";
import { BunboxError } from "../errors.ts";
import type { Spec } from "../config/schema.ts";
import type { FromMonitor } from "./monitor-client.ts";
import { normalJitPolicy } from "./jit-policy.ts";
import { makeExecFifo } from "./core/exec-fifo.ts";
import { execFifoOf } from "./lifecycle.ts";

const SYNC_FD = 3;

export async function runMonitorStage(sys: Sys, args: string[]): Promise<number> {
  // mode "create": the first run waits on the exec fifo for `bunbox start` (runc's create);
  // "start": `bunbox start` of a stopped container (kept if it fails to start, as a created one is)
  const [runDir, containersDir, id, mode] = args;
  // It lives as long as the container and copies all of its output
  normalJitPolicy();
  sys.setCloexec(SYNC_FD);
  // It holds the container's output and exit: the container must not be able to reach into it
  sys.prctl(PR.SET_DUMPABLE, 0);
  const channel = new SyncChannel(sys, SYNC_FD);
  // Once: after a create, the CLI has its answer ("created") before the program starts
  let told = false;
  const tell = (m: FromMonitor) => {
    if (told) return;
    told = true;
    try { channel.send(m); channel.close(); } catch { /* the CLI is gone */ }
  };
  const store = new ContainerStore(runDir!, containersDir!);
  const rec = store.load(id!);
  if (!rec) {
    tell({ type: "error", message: `No such container: ${id}`, exitCode: 125 });
    return 125;
  }
  const spec = JSON.parse(readFileSync(`${rec.bundle}/config.json`, "utf8")) as Spec;
  // Options were checked when the container was made; a record from before they existed gets the defaults
  let limits: LogLimits;
  try { limits = logLimits(rec.logConfig); } catch { limits = logLimits(undefined); }
  const log = new RotatingLogFile(rec.logPath ?? `${rec.bundle}/${rec.id}-json.log`, limits);
  const pumps: Promise<void>[] = [];
  // -dt: the container gets a pty of its own devpts (made in there, as for run -t, so `tty` names
  // it); what it prints through it goes to the log as stdout
  let master = -1;
  const terminal = spec.process?.terminal === true;
  try {
    // --restart: the same container again, by this monitor, for as long as the policy says
    const restarts = new RestartLoop(store, rec.id);
    let code = 0;
    let execFifo = mode === "create" ? execFifoOf(rec) : undefined;
    if (execFifo) makeExecFifo(execFifo);
    for (let run: ContainerRecord | undefined = rec; run;) {
      const began = Date.now();
      try {
        code = await superviseOnce(run, execFifo);
      } finally {
        // Gone once the first run ends, taken or not: a later run's live init must not read as created
        if (execFifo) rmSync(execFifo, { force: true });
        execFifo = undefined;
      }
      run = await restarts.next(Date.now() - began);
    }
    await Promise.race([Promise.all(pumps), Bun.sleep(1000)]);
    clearInterval(trimTimer);
    return code;
  } catch (e) {
    tell({ type: "error", message: (e as Error).message, exitCode: e instanceof BunboxError ? e.exitCode : 125 });
    return 125;
  } finally {
    log.close();
  }

  /** One run to its end; an OOM kill is an end like another here (recorded; a policy may restart it). */
  async function superviseOnce(run: ContainerRecord, execFifo: string | undefined): Promise<number> {
    const again = (run.restartCount ?? 0) > 0;
    try {
      return await superviseRun(run, again, execFifo);
    } catch (e) {
      if (e instanceof OomKilled) return e.exitCode;
      // A start by the policy that failed (killed while it started, say) is an end like another:
      // recorded, and the policy decides; only the first start's failure reaches the CLI
      if (again && e instanceof RuntimeError) return e.exitCode;
      throw e;
    }
  }

  function superviseRun(run: ContainerRecord, again: boolean, execFifo: string | undefined): Promise<number> {
    // Probed afresh for each start of a restarting container: its cgroup and mounts are read now
    const host = probeHost();
    const cgroupHost = parseCgroupHost(host.cgroupFiles.mountinfo, host.cgroupFiles.selfCgroup);
    return superviseContainer(run, spec, {
      // Real pipes, as Docker's shim gives (Bun's "pipe" is a socket: /dev/stdout cannot be opened)
      stdio: terminal ? ["ignore", "ignore", "ignore"] : "relay",
      forwardSignals: false,
      // A restart's failure is an end like another; so is a failed `start` of a container that
      // exists (made by `create`, or stopped): it stays, with its error, as Docker keeps it. Only
      // `run`'s own container goes when its program cannot start (nothing left of a failed run)
      keepOnFailure: again || mode === "create" || mode === "start",
      execFifo,
      onCreated: (_, created) => tell({ type: "created", pid: created.pid }),
      onConsole: terminal ? (m) => {
        master = sys.dupCloexec(m);
        sys.setWindowSize(master, { rows: 24, cols: 80 });
      } : undefined,
      onStarted(_, created) {
        if (master >= 0) {
          pumps.push(ptyStream(master).then((s) => pumpToLog(s, "stdout", log)));
        } else {
          const ends = created.relay!;
          closeSync(ends.stdin); // no -i for -d: the plan gives the program /dev/null
          pumps.push(pumpToLog(Bun.file(ends.stdout).stream(), "stdout", log).finally(() => closeSync(ends.stdout)));
          pumps.push(pumpToLog(Bun.file(ends.stderr).stream(), "stderr", log).finally(() => closeSync(ends.stderr)));
        }
        tell({ type: "started", pid: created.pid });
        // `stop` came while the policy was starting it again (before it had a pid to signal): it
        // has returned already, so this run ends at once, as Docker's stop cancels a restart
        if (again && store.load(run.id)?.stopRequested) { try { process.kill(created.pid, 9); } catch { /* gone */ } }
        if (trimTimer === undefined) trimWhileIdle(sys);
      },
    }, { sys, cgroupHost, store, seccompCache: `${runDir}/seccomp`, appArmor: host.appArmor, host });
  }
}

let trimTimer: ReturnType<typeof setInterval> | undefined;

/**
 * An idle monitor needs almost none of the 100 MB executable it was started from: hand its pages
 * back to the page cache once start-up is over, and again every 2 s (what runs faults back in; a trim costs well under a millisecond).
 */
function trimWhileIdle(sys: Sys): void {
  const trim = () => sys.pageOutSelf();
  setTimeout(trim, 1000).unref();
  trimTimer = setInterval(trim, 2_000);
  trimTimer.unref();
}

/**
 * A pty master as a byte stream; EIO (no slave left) ends it. Reading pauses while the log is
 * behind (a queue of 1 MiB), so a container writing to its tty faster than the log is written
 * waits, as one writing to a pipe does, instead of filling the monitor's memory.
 */
async function ptyStream(master: number): Promise<ReadableStream<Uint8Array>> {
  const { ReadStream } = await import("node:tty");
  const tty = new ReadStream(master);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      tty.on("data", (d: Buffer) => {
        controller.enqueue(new Uint8Array(d));
        if ((controller.desiredSize ?? 0) <= 0) tty.pause();
      });
      const end = () => { try { controller.close(); } catch { /* closed */ } };
      tty.on("error", end);
      tty.on("end", end);
      tty.on("close", end);
    },
    pull() {
      tty.resume();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 1 << 20 }));
}
