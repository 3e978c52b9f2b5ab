// `bunbox exec` (and `runc exec`): a new process inside a running container. The same stage as
// create, with a different plan: born in the container's pid namespace, it joins the other
// namespaces (mount last), the cgroup, and takes the container's security settings.
import type { Step } from "../linux/steps.ts";
import { NS_FLAGS } from "../linux/namespaces/plan.ts";
import { planKeyring, planSession } from "../linux/process/plan.ts";
import { planPrivilegeDrop } from "../linux/process/privileges.ts";
import { planAppArmor } from "../linux/apparmor/plan.ts";
import type { Sys } from "../sys/sys.ts";
import type { ContainerRecord } from "../state/containers.ts";
import { spawnInit, type StdioSpec, type RelayEnds } from "./spawn-init.ts";
import { initFailure, setOomScoreAdj } from "./create.ts";
import { exitStatus, FORWARDED_SIGNALS } from "./exit-status.ts";
import { RuntimeError } from "./errors.ts";
import { filteredExecFailure, type FromInit } from "./sync.ts";
import { narrate, narrationLine, type Narration } from "./narrate.ts";
import { freezeForExec } from "./exec-freeze.ts";
import { cgroupOf } from "./cgroup-of.ts";

export interface ExecProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  capabilities?: { bounding?: string[]; effective?: string[]; permitted?: string[]; inheritable?: string[]; ambient?: string[] };
  noNewPrivileges?: boolean;
}

const JOIN_ORDER = ["ipc", "uts", "network", "cgroup", "mount"];

export function planExec(pid: number, namespaces: { type: string }[], proc: ExecProcess, opts: { closeStdin: boolean; terminal?: boolean; console?: boolean; seccomp?: { program: string; syscalls: number; flags: number }; apparmor?: string }): Step[] {
  const join = JOIN_ORDER.filter((t) => namespaces.some((n) => n.type === t)).map((type) => ({
    type, path: `/proc/${pid}/ns/${type === "network" ? "net" : type === "mount" ? "mnt" : type}`, nstype: NS_FLAGS[type]!,
  }));
  const filter: Step | undefined = opts.seccomp && { kind: "seccomp", ...opts.seccomp, concept: "security", why: "the container's system call filter" };
  const steps: Step[] = [
    // The host's /dev/null, opened before the mount namespace is joined: the container's is any
    // node it made there, and a frozen container's exec stage is not yet under its device rules
    ...(!opts.terminal && opts.closeStdin ? [{ kind: "stdin-null", concept: "process", why: "no -i: stdin is /dev/null (the host's)" } as Step] : []),
    // Its user namespace first: the others belong to it, and only its root may enter them
    ...(namespaces.some((n) => n.type === "user") ? [{ kind: "join-user", path: `/proc/${pid}/ns/user`, concept: "namespaces", why: "enter the container's user namespace: root there is an unprivileged user on the host" } as Step] : []),
    { kind: "join-namespaces", namespaces: join, concept: "namespaces", why: "enter the running container's namespaces (mount last)" },
    // OCI --console-socket: the pty comes from the container's devpts (mount namespace joined above)
    ...(opts.terminal && opts.console ? [{ kind: "console", uid: proc.user.uid, gid: proc.user.gid, concept: "process", why: "a pty of the container's own devpts for the console socket" } as Step] : []),
    // As Docker's exec: the new process runs under the container's AppArmor profile. Set through
    // the container's /proc (joined above), before the filter, as in create (plan.ts says why)
    ...planAppArmor(opts.apparmor, `as the container: the AppArmor profile ${opts.apparmor} from execve on`),
    planKeyring(),
    planSession(opts.terminal),
    { kind: "chdir", path: proc.cwd, concept: "process", why: "working directory" },
    ...planPrivilegeDrop({ user: proc.user, capabilities: proc.capabilities, noNewPrivileges: proc.noNewPrivileges, filter }),
  ];
  steps.push({ kind: "exec", args: proc.args, env: proc.env, concept: "process", why: "the new process in the container" });
  return steps;
}

export interface ExecOptions {
  stdio: StdioSpec;
  /** stdio "relay": bunbox's ends of the new process's pipes, as soon as it is spawned. */
  onSpawned?(relay: RelayEnds): void;
  detach: boolean;
  /** The process runs (exec -t starts copying the terminal then). */
  onStarted?(pid: number): void;
  /** OCI --console-socket: receives the pty master the stage opened inside the container. */
  onConsole?(master: number): void;
  /** --explain: narrate the steps on stderr. */
  narrate?: Narration;
  /**
   * The container's processes hold CAP_SYS_PTRACE (containerMayPtrace): keep them frozen while the
   * exec stage starts (exec-freeze.ts). The path is a lock file in the container's state
   * directory: one freeze window at a time.
   */
  freezeWhileStarting?: { lockPath: string };
  /**
   * The container's oom_score_adj: without it the new process inherits bunbox's own (a CLI at
   * +500, a service at -900). Docker's exec gives the container's; OCI exec only when the process asks.
   */
  oomScoreAdj?: number;
}

/** CAP_SYS_PTRACE in the container's capability sets: its processes may ptrace whatever they see. */
export function containerMayPtrace(capabilities: { bounding?: string[]; effective?: string[]; permitted?: string[]; ambient?: string[] } | undefined): boolean {
  const c = capabilities ?? {};
  return [c.bounding, c.effective, c.permitted, c.ambient].some((set) => set?.includes("CAP_SYS_PTRACE"));
}

/** Runs `steps` in the container of `rec`; returns the exit status (0 at once when detached). */
export async function execInContainer(sys: Sys, rec: Pick<ContainerRecord, "pid" | "name" | "cgroupDirs">, steps: Step[], opts: ExecOptions): Promise<number> {
  return (await startExec(sys, rec, steps, opts)).status;
}

/** Like execInContainer; also gives the new process's host pid (runc exec --pid-file). */
export async function startExec(sys: Sys, rec: Pick<ContainerRecord, "pid" | "name" | "cgroupDirs">, steps: Step[], opts: ExecOptions): Promise<{ pid: number; status: number }> {
  if (rec.pid === undefined) throw new RuntimeError(`container ${rec.name} is not running`, 1);
  const cgroup = cgroupOf(rec);
  const frozen = opts.freezeWhileStarting ? await freezeForExec(rec.name, cgroup, opts.freezeWhileStarting.lockPath) : undefined;
  if (frozen && opts.narrate && opts.narrate.steps !== false) narrate(narrationLine("cgroups", "freezer: frozen while the exec stage starts", "the container holds CAP_SYS_PTRACE: it must not see a runtime process that still has the host's root", opts.narrate));
  // Limits and accounting of the container apply to the new process too: it joins at once, or,
  // while the container is frozen for its start-up, once it is set up (in the frozen cgroup it
  // would freeze before it could get there) and before the thaw
  const joinCgroup = (pid: number) => cgroup.tryJoin(pid);
  let init: ReturnType<typeof spawnInit>;
  try {
    init = spawnInit(sys, { newPidNs: false, joinPidNs: `/proc/${rec.pid}/ns/pid`, stdio: opts.stdio });
    if (init.relay) opts.onSpawned?.(init.relay);
  } catch (e) {
    frozen?.release();
    throw e;
  }
  const { proc, channel } = init;
  try {
    if (opts.oomScoreAdj !== undefined) setOomScoreAdj(sys, proc.pid, opts.oomScoreAdj);
    // Before the plan, so before any open inside the container: opened outside the cgroup, a
    // device node the container made (a kmsg as its ptmx) would escape its device rules. In a
    // frozen container, every hierarchy but the freezer's now, the freezer before the thaw
    if (frozen) cgroup.tryJoinAllButFreezer(proc.pid);
    else joinCgroup(proc.pid);
    channel.send({ type: "plan", steps, waitForStart: frozen !== undefined, narrate: opts.narrate });
    let ready: FromInit | null;
    if (opts.onConsole && steps.some((s) => s.kind === "console")) {
      // The console message (with the pty master) comes first, unless a step before it failed
      const got = channel.receiveWithFd<FromInit>();
      ready = got.msg;
      if (ready?.type === "console" && got.fd !== undefined) {
        try { opts.onConsole(got.fd); } finally { sys.close(got.fd); }
        ready = channel.receive<FromInit>();
      }
    } else {
      ready = channel.receive<FromInit>();
    }
    if (!ready) throw new RuntimeError(`exec in container ${rec.name}: the exec stage exited during setup`);
    if (ready.type === "error") throw initFailure(ready, "exec");
    if (ready.type !== "ready") throw new RuntimeError(`exec in container ${rec.name}: unexpected message ${ready.type}`);
    if (frozen) {
      // Set up: in the container's mount namespace, its capabilities and filter, not dumpable.
      // Into the cgroup before the thaw: outside it, a process injected into it would escape the
      // container's limits and device rules
      joinCgroup(proc.pid);
      frozen.thaw();
      channel.send({ type: "start" });
    }
    const after = channel.receive<FromInit>();
    if (after?.type === "error") throw initFailure(after, "exec");
    const silent = after ? undefined : filteredExecFailure(sys, proc.pid);
    if (silent) throw new RuntimeError(silent, 126);
  } catch (e) {
    try { proc.kill(9); } catch { /* gone */ }
    throw e;
  } finally {
    frozen?.release();
    channel.close();
  }
  if (opts.detach) {
    proc.unref();
    return { pid: proc.pid, status: 0 };
  }
  opts.onStarted?.(proc.pid);
  const offs = FORWARDED_SIGNALS.map((sig) => {
    const handler = () => { try { process.kill(proc.pid, sig); } catch { /* gone */ } };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  await proc.exited;
  offs.forEach((off) => off());
  return { pid: proc.pid, status: exitStatus(proc.exitCode, proc.signalCode as string | null) };
}
