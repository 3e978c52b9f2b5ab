// The engine's core, shared by `bunbox run` and `bunbox runc create`: plan the spec, make the
// cgroup, start the init stage in its namespaces, send it the plan, wait for "ready".
import type { Subprocess } from "bun";
import type { Sys } from "../sys/kernel.ts";
import type { Spec } from "../spec/schema.ts";
import type { CgroupHost } from "../cgroups/layout.ts";
import type { AppArmorHost } from "../host/apparmor.ts";
import { writeFileSync } from "../sys/files.ts";
import { cgroupDriver, removeCgroupDirs, type ContainerCgroup, type PlannedWrite } from "../cgroups/driver.ts";
import { planInit } from "./plan.ts";
import { narrate, narrationLine, type Narration } from "./narrate.ts";
import { compiledSeccomp } from "./seccomp-cache.ts";
import { ARCH } from "../sys/arch.ts";
import { spawnInit, type SpawnedInit, type Stdio } from "./spawn-init.ts";
import type { SyncChannel, FromInit } from "./sync.ts";
import { RuntimeError } from "./errors.ts";
import { INIT_ANNOTATION } from "../spec/from-flags.ts";
import type { Step } from "../linux/steps.ts";

export interface CreateDeps {
  sys: Sys;
  cgroupHost: CgroupHost;
  /** Where compiled seccomp filters are cached (see seccomp-cache.ts). */
  seccompCache?: string;
  /** The host's AppArmor: the spec's profile is refused, loaded or checked there before anything is made. */
  appArmor: AppArmorHost;
}

export interface Created {
  proc: Subprocess;
  channel: SyncChannel;
  cgroup: ContainerCgroup;
  pid: number;
  plan: Step[];
}

export function cgroupLayoutForMounts(host: CgroupHost) {
  const v2 = host.hierarchies.find((h) => h.version === 2);
  return {
    unified: v2 !== undefined,
    unifiedDir: host.mode === "hybrid" && v2 ? v2.mountpoint.split("/").pop()! : "",
    v1: host.hierarchies.filter((h) => h.version === 1).map((h) => ({ dir: h.mountpoint.split("/").pop()!, options: h.options })),
  };
}

/**
 * `init` may be started early (see `spawnInit`), so that its start-up overlaps the parent's
 * planning; it then waits for the plan and costs nothing if it is never used.
 */
export interface CreateOptions {
  stdio: [Stdio, Stdio, Stdio];
  waitForStart: boolean;
  init?: SpawnedInit;
  /** OCI: the init blocks opening this fifo for writing until `start` reads it (create may exit meanwhile). */
  execFifo?: string;
  /** OCI --console-socket: receives the pty master the init opened inside the container. */
  onConsole?(master: number): void;
  /** OCI --preserve-fds N. */
  preserveFds?: number;
  /** --explain: narrate each step on stderr. */
  narrate?: Narration;
  /** OCI hooks: the state JSON for hooks (given the init's pid), the runtime-namespace create hooks. */
  hookState?(pid: number): unknown;
  runtimeHooks?(pid: number): Promise<void>;
  /** The init's pid, before it is released: record it now, so a bunbox killed from here on leaves a pid for gc. */
  onSpawned?(pid: number, cgroupDirs: string[]): void;
}

export async function createContainer(spec: Spec, id: string, opts: CreateOptions, deps: CreateDeps): Promise<Created> {
  // Only containers with a profile load that code: most runs on hosts without AppArmor have none
  if (spec.process?.apparmorProfile) (await import("./apparmor.ts")).prepareProfile(spec.process.apparmorProfile, deps.appArmor, { noNewPrivileges: spec.process.noNewPrivileges });
  const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, deps.seccompCache) : undefined;
  const plan = planInit(spec, { cgroups: cgroupLayoutForMounts(deps.cgroupHost) }, seccomp, { console: opts.onConsole !== undefined });
  const cgroupsPath = spec.linux?.cgroupsPath ?? `bunbox/${id}`;
  // Limits are in place before the init joins, so before the user's program can start
  const driver = cgroupDriver(deps.cgroupHost, "", (dir, program) => deps.sys.setDeviceFilter(dir, program));
  const cgroup = driver.create(cgroupsPath, spec.linux?.resources ?? {}, [process.pid, ...(opts.init ? [opts.init.proc.pid] : [])]);
  let init = opts.init;
  try {
    const pidNs = (spec.linux?.namespaces ?? []).find((n) => n.type === "pid");
    init ??= spawnInit(deps.sys, { newPidNs: pidNs !== undefined && !pidNs.path, joinPidNs: pidNs?.path, stdio: opts.stdio, preserveFds: opts.preserveFds, staysAsInit: spec.annotations?.[INIT_ANNOTATION] === "true" });
    const pid = init.proc.pid;
    driver.join(cgroup, pid);
    opts.onSpawned?.(pid, cgroup.dirs);
    // Inherited by the program through execve; written by the parent, as runc does
    if (spec.process?.oomScoreAdj !== undefined) setOomScoreAdj(pid, spec.process.oomScoreAdj);
    if (opts.narrate) narrate(parentLines(cgroup, driver.plan(cgroupsPath, spec.linux?.resources ?? {}), pid, pidNs !== undefined && !pidNs.path, opts.narrate));
    init.channel.send({
      type: "plan", steps: plan, waitForStart: opts.waitForStart, narrate: opts.narrate, ...(opts.execFifo ? { execFifo: opts.execFifo } : {}),
      ...(spec.hooks ? { hookState: opts.hookState?.(pid), startHooks: spec.hooks.startContainer } : {}),
    });
    // Until "ready" (or an error), the init may hand over its console or ask for the create hooks
    let reply: FromInit | null;
    for (;;) {
      const got = opts.onConsole && spec.process?.terminal ? init.channel.receiveWithFd<FromInit>() : { msg: init.channel.receive<FromInit>(), fd: undefined };
      reply = got.msg;
      if (reply?.type === "console" && got.fd !== undefined && opts.onConsole) {
        try { opts.onConsole(got.fd); } finally { deps.sys.close(got.fd); }
        continue;
      }
      if (reply?.type === "hooks") {
        try {
          await opts.runtimeHooks?.(pid);
          init.channel.send({ type: "hooks-done" });
        } catch (e) {
          init.channel.send({ type: "hooks-failed", message: (e as Error).message });
        }
        continue;
      }
      break;
    }
    if (!reply) throw new RuntimeError("container init exited during setup");
    if (reply.type === "error") throw initFailure(reply);
    if (reply.type !== "ready") throw new RuntimeError(`container init: unexpected message ${reply.type}`);
    return { proc: init.proc, channel: init.channel, cgroup, pid, plan };
  } catch (e) {
    if (init) {
      init.channel.close();
      try { init.proc.kill(9); } catch { /* already gone */ }
      // The init must be gone before its cgroup can be removed
      await init.proc.exited;
    }
    try { removeCgroupDirs(cgroup.dirs); } catch { /* left for gc */ }
    throw e;
  }
}

export function initFailure(reply: Extract<FromInit, { type: "error" }>, what: "container setup" | "exec" = "container setup"): RuntimeError {
  if (reply.step === "exec") return new RuntimeError(reply.message, reply.exitCode);
  // An exec that fails before the program starts is Docker's "OCI runtime exec failed": 126
  return new RuntimeError(`${what} failed at step "${reply.step}": ${reply.message}`, what === "exec" ? 126 : reply.exitCode);
}

/** What the parent did before the init stage applies its plan, as --explain lines. */
export function parentLines(cgroup: ContainerCgroup, writes: PlannedWrite[], pid: number | string, newPidNs: boolean, n: Narration): string {
  const lines: string[] = [];
  if (newPidNs) lines.push(narrationLine("namespaces", `unshare(CLONE_NEWPID); spawn("bunbox init") = ${pid}`, "its first child is PID 1 of a new pid namespace", n));
  for (const dir of cgroup.dirs) lines.push(narrationLine("cgroups", `mkdir ${dir}`, "the container's own cgroup", n));
  for (const w of writes) lines.push(narrationLine("cgroups", w.program ? `${w.file}: ${w.value}` : `${w.file} = ${w.value}`, w.why, n));
  lines.push(narrationLine("cgroups", `echo ${pid} > cgroup.procs`, "the init stage and all it starts are counted and limited there", n));
  return lines.join("");
}

function setOomScoreAdj(pid: number, value: number): void {
  try {
    writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new RuntimeError(`cannot set --oom-score-adj ${value}: write /proc/${pid}/oom_score_adj: ${code}${value < 0 ? " (lowering it needs CAP_SYS_RESOURCE)" : ""}`);
  }
}
