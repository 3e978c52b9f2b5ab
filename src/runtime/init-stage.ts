// The init stage: PID 1 of the new pid namespace until it execve's the user's program. It reads
// the plan from the parent, applies it, reports "ready" (or one structured error) and execs.
import type { Sys } from "../sys/sys.ts";
import { SysError, errnoMessage } from "../sys/errno.ts";
import { PR, O } from "../sys/constants.ts";
import { SyncChannel, type ToInit } from "./sync.ts";
import { applyPlan, StepError } from "./apply.ts";
import { ExecError } from "../linux/process/executable.ts";
import { runHooksSync } from "./oci/hooks.ts";
import { StayAsInit, runAsInit } from "./pid1.ts";
import { mark, ownMarks } from "./timeline.ts";

/** fd 3, or after the fds an OCI caller preserves (--preserve-fds N: 3 … 3+N-1 reach the program). */
const SYNC_FD = Number(process.env.BUNBOX_SYNC_FD) || 3;

export async function runInitStage(sys: Sys): Promise<number> {
  mark("init stage running");
  // Not dumpable: nothing in the container can open this process's /proc/<pid>/exe (CVE-2019-5736)
  sys.prctl(PR.SET_DUMPABLE, 0);
  sys.umask(0);
  sys.setCloexec(SYNC_FD);
  const channel = new SyncChannel(sys, SYNC_FD);
  let msg = channel.receive<ToInit>();
  if (msg?.type === "join-cgroup") {
    try {
      joinCgroup(sys, msg.procs);
    } catch (e) {
      reportFailure(sys, { ...describeFailure(e), step: "cgroup" }, channel, -1);
      return 125;
    }
    mark("joined its cgroup");
    msg = channel.receive<ToInit>();
  }
  if (!msg || msg.type !== "plan") return 125;
  mark("plan received");
  // The exec fifo's directory is held now, on the host: after joining a mount namespace and
  // pivot_root, neither its path nor /proc/self/fd (a procfs of another pid namespace) reaches it
  const slash = msg.execFifo?.lastIndexOf("/") ?? -1;
  const fifoDir = msg.execFifo ? sys.open(msg.execFifo.slice(0, slash) || "/", O.DIRECTORY | O.PATH | O.CLOEXEC) : -1;
  /** The fifo `start` reads, held open until execve: a later failure is reported there too. */
  let started = -1;
  const rootfs = (msg.steps.find((s) => s.kind === "pivot-root") as { rootfs: string } | undefined)?.rootfs ?? "/";
  try {
    applyPlan(msg.steps, {
      sys,
      rootfs,
      pivoted: false,
      narrate: msg.narrate,
      lookupAtStart: msg.lookupAtStart,
      sendConsole(master) {
        channel.sendWithFd({ type: "console" }, master);
      },
      createHooks(hooks) {
        // The runtime's prestart/createRuntime hooks first, in the parent (runtime namespace)
        channel.send({ type: "hooks" });
        const done = channel.receive<ToInit>();
        if (!done) process.exit(125);
        if (done.type === "hooks-failed") throw new Error(done.message);
        runHooksSync("createContainer", hooks as never, msg.hookState);
      },
      beforeExec() {
        mark("ready sent");
        channel.send({ type: "ready", pid: process.pid, ...(msg.narrate?.timing ? { marks: ownMarks() } : {}) });
        if (fifoDir >= 0) {
          // Blocks until `start` opens the fifo for reading (runc's exec fifo); the parent may be gone
          started = sys.openat(fifoDir, msg.execFifo!.slice(slash + 1), O.WRONLY | O.CLOEXEC);
          sys.close(fifoDir);
          sys.writeAll(started, Buffer.from("0"));
        } else if (msg.waitForStart) {
          const go = channel.receive<ToInit>();
          if (!go || go.type !== "start") process.exit(0);
        }
        // startContainer hooks: in the container, once started, right before the program
        if (msg.startHooks?.length) runHooksSync("startContainer", msg.startHooks as never, { ...(msg.hookState as object), status: "running" });
        // Everything but 0-2 (and preserved fds) closes at execve: no host fd reaches the user's program
        sys.cloexecFrom(SYNC_FD);
      },
    });
  } catch (e) {
    if (e instanceof StayAsInit) return runAsInit(sys, e, SYNC_FD);
    reportFailure(sys, describeFailure(e), channel, started);
    return 125;
  }
}

/** This process (0: the writer) into each of its cgroup's cgroup.procs, so it and all it starts are counted and limited there. */
function joinCgroup(sys: Sys, procs: string[]): void {
  for (const file of procs) {
    const fd = sys.open(file, O.WRONLY | O.CLOEXEC);
    try {
      sys.writeAll(fd, Buffer.from("0"));
    } finally {
      sys.close(fd);
    }
  }
}

/**
 * To whoever waits: the parent on the sync channel, and after `start`, the start command reading
 * the exec fifo (the create that made the container is gone by then). A failure after the
 * seccomp filter (only the execve is left then) may find write() refused too: the reader then
 * sees its end close with no error and no exec (ociStart, superviseContainer say so).
 */
function reportFailure(sys: Sys, failure: ReturnType<typeof describeFailure>, channel: SyncChannel, started: number): void {
  const line = Buffer.from(JSON.stringify(failure) + "\n");
  try { channel.send(failure); } catch { /* the parent is gone, or the filter refuses write */ }
  if (started >= 0) {
    try { sys.writeAll(started, line); } catch { /* as above */ }
  }
}

function describeFailure(e: unknown) {
  if (e instanceof ExecError) {
    return { type: "error" as const, step: "exec", call: "exec", message: e.message, exitCode: e.exitCode };
  }
  const step = e instanceof StepError ? e.step.kind : "init";
  const cause = e instanceof StepError ? e.cause : e;
  if (cause instanceof SysError) {
    const exitCode = cause.syscall === "execve" ? (cause.code === "ENOENT" ? 127 : 126) : 125;
    return { type: "error" as const, step, call: cause.syscall, path: cause.path, errno: cause.code, message: cause.message, exitCode };
  }
  // node:fs errors carry the same facts under other names
  const err = cause as NodeJS.ErrnoException;
  if (err?.code && err.syscall) {
    const message = `${err.syscall}${err.path ? ` ${err.path}` : ""}: ${err.code} (${errnoMessage(err.code)})`;
    return { type: "error" as const, step, call: err.syscall, path: err.path, errno: err.code, message, exitCode: 125 };
  }
  return { type: "error" as const, step, call: step, message: err?.message ?? String(cause), exitCode: 125 };
}
