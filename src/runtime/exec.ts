// `bunbox exec` (and `runc exec`): a new process inside a running container. The same stage as
// create, with a different plan: born in the container's pid namespace, it joins the other
// namespaces (mount last), the cgroup, and takes the container's security settings.
import { writeFileSync } from "node:fs";
import type { Step } from "../linux/steps.ts";
import { NS_FLAGS } from "../linux/namespaces.ts";
import { planUser } from "../linux/process.ts";
import { planCapabilities } from "../linux/capabilities.ts";
import type { Sys } from "../sys/kernel.ts";
import type { ContainerRecord } from "../state/containers.ts";
import { spawnInit, type Stdio } from "./spawn-init.ts";
import { initFailure } from "./create.ts";
import { exitStatus, FORWARDED_SIGNALS } from "./exit-status.ts";
import { RuntimeError } from "./errors.ts";
import type { FromInit } from "./sync.ts";

export interface ExecProcess {
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  capabilities?: { bounding?: string[]; effective?: string[]; permitted?: string[]; inheritable?: string[]; ambient?: string[] };
  noNewPrivileges?: boolean;
}

const JOIN_ORDER = ["ipc", "uts", "network", "cgroup", "mount"];

export function planExec(pid: number, namespaces: { type: string }[], proc: ExecProcess, opts: { closeStdin: boolean; terminal?: boolean; seccomp?: { program: string; syscalls: number; flags: number } }): Step[] {
  const join = JOIN_ORDER.filter((t) => namespaces.some((n) => n.type === t)).map((type) => ({
    type, path: `/proc/${pid}/ns/${type === "network" ? "net" : type === "mount" ? "mnt" : type}`, nstype: NS_FLAGS[type]!,
  }));
  const filter: Step | undefined = opts.seccomp && { kind: "seccomp", ...opts.seccomp, concept: "security", why: "the container's system call filter" };
  const steps: Step[] = [
    { kind: "join-namespaces", namespaces: join, concept: "namespaces", why: "enter the running container's namespaces (mount last)" },
    // As in create: without no_new_privs the filter must go in while CAP_SYS_ADMIN is still held
    ...(filter && !proc.noNewPrivileges ? [filter] : []),
    { kind: "chdir", path: proc.cwd, concept: "process", why: "working directory" },
    ...planUser(proc.user),
    planCapabilities(proc.capabilities ?? {}),
  ];
  if (proc.noNewPrivileges) steps.push({ kind: "no-new-privs", concept: "security", why: "as the container: setuid binaries cannot gain privileges" });
  if (filter && proc.noNewPrivileges) steps.push(filter);
  if (opts.terminal) steps.push({ kind: "controlling-tty", concept: "process", why: "-t: the pty is its controlling terminal" });
  else if (opts.closeStdin) steps.push({ kind: "stdin-null", concept: "process", why: "no -i: stdin is /dev/null" });
  steps.push({ kind: "exec", args: proc.args, env: proc.env, concept: "process", why: "the new process in the container" });
  return steps;
}

export interface ExecOptions {
  stdio: [Stdio, Stdio, Stdio];
  detach: boolean;
  /** The process runs (exec -t starts copying the terminal then). */
  onStarted?(): void;
}

/** Runs `steps` in the container of `rec`; returns the exit status (0 at once when detached). */
export async function execInContainer(sys: Sys, rec: ContainerRecord, steps: Step[], opts: ExecOptions): Promise<number> {
  if (rec.pid === undefined) throw new RuntimeError(`container ${rec.name} is not running`, 1);
  const init = spawnInit(sys, { newPidNs: false, joinPidNs: `/proc/${rec.pid}/ns/pid`, stdio: opts.stdio });
  const { proc, channel } = init;
  try {
    // Limits and accounting of the container apply to the new process too
    for (const dir of rec.cgroupDirs ?? []) {
      try { writeFileSync(`${dir}/cgroup.procs`, String(proc.pid)); } catch { /* a hierarchy without it */ }
    }
    channel.send({ type: "plan", steps, waitForStart: false });
    const ready = channel.receive<FromInit>();
    if (!ready) throw new RuntimeError(`exec in container ${rec.name}: the exec stage exited during setup`);
    if (ready.type === "error") throw initFailure(ready);
    const after = channel.receive<FromInit>();
    if (after?.type === "error") throw initFailure(after);
  } catch (e) {
    try { proc.kill(9); } catch { /* gone */ }
    throw e;
  } finally {
    channel.close();
  }
  if (opts.detach) {
    proc.unref();
    return 0;
  }
  opts.onStarted?.();
  const offs = FORWARDED_SIGNALS.map((sig) => {
    const handler = () => { try { process.kill(proc.pid, sig); } catch { /* gone */ } };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  await proc.exited;
  offs.forEach((off) => off());
  return exitStatus(proc.exitCode, proc.signalCode as string | null);
}
