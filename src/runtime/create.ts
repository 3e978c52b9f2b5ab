// The engine's core, shared by `bunbox run` and `bunbox runc create`: plan the spec, make the
// cgroup, start the init stage in its namespaces, send it the plan, wait for "ready".
import { runtimeMountNsPath } from "./sealed-self.ts";
import type { Subprocess } from "bun";
import type { Sys } from "../sys/sys.ts";
import type { Spec, LinuxResources } from "../config/schema.ts";
import type { CgroupHost } from "../cgroups/layout.ts";
import type { AppArmorHost } from "../host/apparmor.ts";
import type { HostProbe } from "../host/probe.ts";
import { O } from "../sys/constants.ts";
import { cgroupDriver, v2PlannedWrites, writeLimits, type ContainerCgroup, type PlannedWrite } from "../cgroups/driver.ts";
import { createScope, parseSystemdPath, type SystemdScopes } from "../cgroups/systemd-scope.ts";
import { OwnedCgroup } from "../cgroups/owned.ts";
import { leavesOf } from "../cgroups/nesting.ts";
import { systemdScopes } from "../cgroups/systemd-scopes.ts";
import { planInit } from "./plan.ts";
import { narrate, narrationLine, type Narration } from "./narrate.ts";
import { mark, addMarks } from "./timeline.ts";
import { compiledSeccomp } from "./seccomp-cache.ts";
import { ARCH } from "../sys/arch.ts";
import { spawnInit, type SpawnedInit, type StdioSpec, type RelayEnds } from "./spawn-init.ts";
import type { SyncChannel, FromInit, ToInit } from "./sync.ts";
import { RuntimeError } from "./errors.ts";
import { bunboxSettings } from "../config/annotations.ts";
import type { Step } from "../linux/steps.ts";
import { releaseCgroup } from "./core/acts.ts";
import { takeEarlyCgroup, moveInit, moveDone } from "./early-cgroup.ts";
import { abandonStart } from "./abandon.ts";
import { makeUserNamespace, layersForUserNamespace, type MadeUserNamespace } from "./user-namespace.ts";
import { idMapText, describeIdMap, type IdMapping } from "../linux/namespaces/user.ts";

export interface CreateDeps {
  sys: Sys;
  cgroupHost: CgroupHost;
  /** Prefix of every cgroupfs path ("" on a host; a temp dir in the unit tests). */
  cgroupRoot?: string;
  /** Where compiled seccomp filters are cached (see seccomp-cache.ts). */
  seccompCache?: string;
  /** systemd's scopes (the systemd manager: a cgroupsPath in the slice:prefix:name form). */
  scopes?: () => SystemdScopes;
  /** The host's AppArmor: the spec's profile is refused, loaded or checked there before anything is made. */
  appArmor: AppArmorHost;
  /** The host probe's facts (host/probe.ts, read on first use): /dev/core links to /proc/kcore only where it exists. */
  host: Pick<HostProbe, "kernel">;
}

export interface Created {
  proc: Subprocess;
  channel: SyncChannel;
  cgroup: OwnedCgroup;
  pid: number;
  /** stdio "relay": bunbox's ends of the container's pipes. */
  relay?: RelayEnds;
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
  stdio: StdioSpec;
  waitForStart: boolean;
  init?: SpawnedInit;
  /** OCI: the init blocks opening this fifo for writing until `start` reads it (create may exit meanwhile). */
  execFifo?: string;
  /** With execFifo, Docker's create: the program is looked up after `start`, not before the wait. */
  lookupAtStart?: boolean;
  /** OCI --console-socket: receives the pty master the init opened inside the container. */
  onConsole?(master: number): void;
  /** OCI --preserve-fds N. */
  preserveFds?: number;
  /** --explain: narrate each step on stderr. */
  narrate?: Narration;
  /** An attached run: the container dies with this process (plan.ts). */
  dieWithParent?: boolean;
  /** OCI hooks: the state JSON for hooks (given the init's pid), the runtime-namespace create hooks. */
  hookState?(pid: number): unknown;
  runtimeHooks?(pid: number): Promise<void>;
  /**
   * Work that needs nothing of the container's kernel state (the Docker front end's bundle and
   * record), done while the init joins its cgroup, which takes the kernel a grace period: so it
   * is off the critical path. A throw undoes the container as any failure does.
   */
  prepare?(pid: number, cgroup: ContainerCgroup): void;
  /** The cgroup startCgroup made for `init` (which is then given too): used as it is. */
  cgroup?: OwnedCgroup;
  /** The init's pid, before it is released: record it now, so a bunbox killed from here on leaves a pid for gc. */
  onSpawned?(pid: number, cgroup: ContainerCgroup): void;
}

export async function createContainer(spec: Spec, id: string, opts: CreateOptions, deps: CreateDeps): Promise<Created> {
  // Only containers with a profile load that code: most runs on hosts without AppArmor have none
  if (spec.process?.apparmorProfile) (await import("./apparmor.ts")).prepareProfile(spec.process.apparmorProfile, deps.appArmor, { noNewPrivileges: spec.process.noNewPrivileges });
  // A new user namespace exists before the plan, which names it by path: the init joins it
  const userns = newUserNamespace(spec, deps.sys);
  try {
    const planned = userns ? layersForUserNamespace(withUserNsPath(spec, userns.path), userns.path, deps.sys) : spec;
    return await createPlanned(planned, id, opts, deps, userns);
  } finally {
    // The init has joined it (or failed): the namespace lives on in the container alone
    userns?.release();
  }
}

function newUserNamespace(spec: Spec, sys: Sys): MadeUserNamespace | undefined {
  const user = spec.linux?.namespaces?.find((n) => n.type === "user");
  if (!user || user.path) return undefined;
  return makeUserNamespace(sys, (spec.linux?.uidMappings ?? []) as IdMapping[], (spec.linux?.gidMappings ?? []) as IdMapping[]);
}

function withUserNsPath(spec: Spec, path: string): Spec {
  const namespaces = spec.linux!.namespaces!.map((n) => (n.type === "user" ? { ...n, path } : n));
  return { ...spec, linux: { ...spec.linux, namespaces } };
}

async function createPlanned(spec: Spec, id: string, opts: CreateOptions, deps: CreateDeps, userns: MadeUserNamespace | undefined): Promise<Created> {
  const cgroupsPath = spec.linux?.cgroupsPath ?? `bunbox/${id}`;
  const resources = spec.linux?.resources ?? {};
  const attachDevices = (dir: string, program: Uint8Array) => deps.sys.setDeviceFilter(dir, program);
  // systemd's scope is made around the init (a scope cannot be empty); cgroupfs's directory is
  // made by startCgroup from the flags, or here once the init is spawned. Either way the limits
  // are in place, and the init in its cgroup, before it reads its plan: before the user's
  // program can start.
  const scope = parseSystemdPath(cgroupsPath);
  const driver = cgroupDriver(deps.cgroupHost, deps.cgroupRoot ?? "", attachDevices);
  let cgroup: OwnedCgroup | undefined = opts.cgroup;
  let init = opts.init;
  /** Spawned by the caller ahead of time (an attached run's, in main.ts): running by now. */
  const early = init !== undefined;
  const pidNs = (spec.linux?.namespaces ?? []).find((n) => n.type === "pid");
  try {
    // Spawned first: its start-up (a new Bun process, several ms) overlaps making the cgroup
    init ??= spawnInit(deps.sys, { newPidNs: pidNs !== undefined && !pidNs.path, joinPidNs: pidNs?.path, stdio: opts.stdio, preserveFds: opts.preserveFds, staysAsInit: bunboxSettings(spec.annotations).init });
    const pid = init.proc.pid;
    const scopes = deps.scopes ?? systemdScopes;
    // Unless startCgroup made it already, from the flags
    if (!cgroup) {
      if (scope) {
        cgroup = new OwnedCgroup(createScope({ host: deps.cgroupHost, scopes: scopes(), path: scope, resources, pid, description: `bunbox container ${id}`, attachDevices }), scopes);
        // Its cgroup goes with its last process: an OOM kill must be seen while it happens
        if (resources.memory?.limit) cgroup.watchOom((path) => deps.sys.watchModify(path));
        mark("systemd scope made");
      } else {
        if (early) {
          // The init is up: it moves itself, first thing, while this process plans (sync.ts says why)
          cgroup = startCgroup({ cgroupsPath, resources }, init, deps);
        } else {
          // Just spawned: the kernel's wait on the first move overlaps its start-up and the
          // planning below, on a glibc thread (early-cgroup.ts moveInit)
          cgroup = new OwnedCgroup(driver.create(cgroupsPath, resources, [process.pid, pid]));
          mark("cgroup made; its first move under way");
          moveInit(init, cgroup, deps.sys);
        }
      }
    }
    if (opts.prepare) {
      opts.prepare(pid, cgroup!);
      mark("prepared (while the init joins)");
    }
    // Planned while the init joins its cgroup: it reads the plan only after that
    const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, deps.seccompCache) : undefined;
    const ownMountNs = (spec.linux?.namespaces ?? []).some((n) => n.type === "mount");
    const plan = planInit(spec, { cgroups: cgroupLayoutForMounts(deps.cgroupHost), kcore: deps.host.kernel.kcore, ...(ownMountNs ? {} : { runtimeMountNs: runtimeMountNsPath(deps.sys) }) }, seccomp, { console: opts.onConsole !== undefined, dieWithParent: opts.dieWithParent });
    mark("plan made");
    opts.onSpawned?.(pid, cgroup!);
    // Inherited by the program through execve; written by the parent, as runc does
    if (spec.process?.oomScoreAdj !== undefined) setOomScoreAdj(deps.sys, pid, spec.process.oomScoreAdj);
    if (opts.narrate && opts.narrate.steps !== false) {
      const writes = scope ? v2PlannedWrites(cgroup!.dirs[0]!, resources) : driver.plan(cgroupsPath, resources);
      narrate(parentLines(cgroup!, leavesOf(deps.cgroupHost, cgroup!.dirs), writes, pid, pidNs !== undefined && !pidNs.path, opts.narrate, userns && { pid: userns.pid, uid: spec.linux?.uidMappings as IdMapping[], gid: spec.linux?.gidMappings as IdMapping[] }, early || init.moving !== undefined, init.moving?.first));
    }
    // Its first move, made from a glibc thread, is done before the plan is read
    moveDone(init);
    // Marked before the write: the init may read it, and mark that, before this process runs again
    mark("plan sent");
    init.channel.send({
      type: "plan", steps: plan, waitForStart: opts.waitForStart, narrate: opts.narrate, ...(opts.execFifo ? { execFifo: opts.execFifo } : {}), ...(opts.lookupAtStart ? { lookupAtStart: true } : {}),
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
    mark("ready received");
    addMarks("init", reply.marks);
    return { proc: init.proc, channel: init.channel, cgroup: cgroup!, pid, plan, ...(init.relay ? { relay: init.relay } : {}) };
  } catch (e) {
    await abandonStart(init, cgroup);
    throw e;
  }
}

/**
 * The container's cgroup (cgroupfs only), made from the flags before the image is read or the
 * spec built, and the already running `init` told to join it: the kernel's grace period on that
 * first move (sync.ts) then starts as early as it can, while this process goes on. Undefined for
 * a systemd scope, which createContainer makes around the init as usual. The caller hands both
 * to createContainer, or on failure closes the init's channel, waits for it to end, and releases
 * the cgroup.
 */
export function startCgroup(linux: { cgroupsPath: string; resources: LinuxResources }, init: SpawnedInit, deps: Pick<CreateDeps, "sys" | "cgroupHost" | "cgroupRoot">): OwnedCgroup | undefined {
  if (parseSystemdPath(linux.cgroupsPath)) return undefined;
  const attachDevices = (dir: string, program: Uint8Array) => deps.sys.setDeviceFilter(dir, program);
  const driver = cgroupDriver(deps.cgroupHost, deps.cgroupRoot ?? "", attachDevices);
  // Made before the flags were read, the init moving in: only the limits are left to write
  const early = takeEarlyCgroup(init, linux, () => writeLimits(driver.plan(linux.cgroupsPath, { ...linux.resources, devices: undefined })));
  if (early) return early;
  const cgroup = new OwnedCgroup(driver.create(linux.cgroupsPath, linux.resources, [process.pid, init.proc.pid]));
  try {
    // Marked before the message (as every milestone that causes one in the other process)
    mark("cgroup made; the init told to join it");
    init.channel.send(joinCgroup(cgroup.processDirs()));
  } catch (e) {
    releaseCgroup(cgroup);
    throw e;
  }
  return cgroup;
}


/** The message that has the init move itself into its cgroup (where its processes go: nesting.ts). */
function joinCgroup(processDirs: string[]): ToInit {
  return { type: "join-cgroup", procs: processDirs.map((dir) => `${dir}/cgroup.procs`) };
}

export function initFailure(reply: Extract<FromInit, { type: "error" }>, what: "container setup" | "exec" = "container setup"): RuntimeError {
  // An exec that fails before the program starts is Docker's "OCI runtime exec failed": 126,
  // whatever the cause (not found too: 20.10's daemon sets 126 for every failed exec start; 127
  // is `run`'s, for a container's own command)
  if (what === "exec") return new RuntimeError(reply.step === "exec" ? reply.message : `${what} failed at step "${reply.step}": ${reply.message}`, 126);
  if (reply.step === "exec") return new RuntimeError(reply.message, reply.exitCode);
  return new RuntimeError(`${what} failed at step "${reply.step}": ${reply.message}`, reply.exitCode);
}

/** What the parent did before the init stage applies its plan, as --explain lines. */
export function parentLines(cgroup: ContainerCgroup, leaves: string[], writes: PlannedWrite[], pid: number | string, newPidNs: boolean, n: Narration, userns?: { pid: number | string; uid: IdMapping[]; gid: IdMapping[] }, early = false, movedFirst?: string): string {
  const lines: string[] = [];
  if (userns) {
    lines.push(narrationLine("namespaces", `spawn("bunbox userns") = ${userns.pid}: unshare(CLONE_NEWUSER)`, "a user namespace needs a single-threaded process to make it", n));
    for (const [file, maps] of [["uid_map", userns.uid], ["gid_map", userns.gid]] as const) {
      lines.push(narrationLine("namespaces", `write /proc/${userns.pid}/${file} = ${JSON.stringify(idMapText(maps).trim().replace(/\n/g, "; "))}`, `${describeIdMap(maps)}: root in the container is an unprivileged ${file === "uid_map" ? "user" : "group"} on the host`, n));
    }
  }
  if (newPidNs) lines.push(narrationLine("namespaces", `unshare(CLONE_NEWPID); spawn("bunbox init") = ${pid}`, "its first child is PID 1 of a new pid namespace", n));
  if (cgroup.unit) lines.push(narrationLine("cgroups", `systemd StartTransientUnit("${cgroup.unit}", PIDs=[${pid}], Delegate=yes) = ${cgroup.dirs[0]}`, "systemd makes the container's cgroup (a login shell's own cgroup cannot have children with controllers)", n));
  else for (const dir of cgroup.dirs) lines.push(narrationLine("cgroups", `mkdir ${dir}`, "the container's own cgroup", n));
  for (const w of writes) lines.push(narrationLine("cgroups", w.program ? `${w.file}: ${w.value}` : `${w.file} = ${w.value}`, w.why, n));
  for (const leaf of leaves) lines.push(narrationLine("cgroups", `mkdir ${leaf}`, "where its processes live: below its device rules, which nothing inside can then widen (v2: with the limits mirrored, to be read inside)", n));
  if (cgroup.unit && leaves.length) lines.push(narrationLine("cgroups", `echo ${pid} > cgroup.procs`, "the init stage and all it starts are counted and limited there", n));
  // cgroupfs: the init moves itself before it reads its plan (the first move waits out an RCU grace period, while bunbox plans)
  if (!cgroup.unit && movedFirst) lines.push(narrationLine("cgroups", `echo ${pid} > cgroup.procs  (${movedFirst.slice(0, movedFirst.lastIndexOf("/"))}, from a glibc thread: aio_write)`, "a first move into a cgroup waits out an RCU grace period, which passes on that thread while bunbox goes on", n));
  if (!cgroup.unit) lines.push(joinLine(pid, early, n));
  return lines.join("");
}

/** Who moves the init into its cgroup (createPlanned): the init itself, if it was already running. */
function joinLine(pid: number | string, early: boolean, n: Narration): string {
  if (early) return narrationLine("cgroups", "init: echo 0 > cgroup.procs", "the init stage moves itself, before its plan: it and all it starts are counted and limited there", n);
  return narrationLine("cgroups", `echo ${pid} > cgroup.procs`, "the init stage and all it starts are counted and limited there", n);
}

/** The OOM killer's bias of `pid` (and all it starts): written from outside, as runc does. */
export function setOomScoreAdj(sys: Pick<Sys, "open" | "writeAll" | "close">, pid: number, value: number): void {
  try {
    const fd = sys.open(`/proc/${pid}/oom_score_adj`, O.WRONLY | O.CLOEXEC);
    try {
      sys.writeAll(fd, Buffer.from(String(value)));
    } finally {
      sys.close(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new RuntimeError(`cannot set --oom-score-adj ${value}: write /proc/${pid}/oom_score_adj: ${code}${value < 0 ? " (lowering it needs CAP_SYS_RESOURCE)" : ""}`);
  }
}
