// The OCI lifecycle on top of the shared engine (createContainer / startExec): what `bunbox runc`
// create, start, kill, delete, pause, resume, exec, update and ps do, with runc's answers for
// every wrong transition. The CLI in src/cli/runc/ only parses flags and prints.
import { readFileSync } from "../../sys/files.ts";
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import { parseSpec, type Spec, type Process, type LinuxResources } from "../../config/schema.ts";
import { createContainer, type CreateDeps } from "../create.ts";
import { sameSpawn, OCI_STDIO, type SpawnedInit } from "../spawn-init.ts";
import { bunboxSettings } from "../../config/annotations.ts";
import { planExec, startExec, containerMayPtrace } from "../exec.ts";
import { compiledSeccomp } from "../seccomp-cache.ts";
import { ARCH } from "../../sys/arch.ts";
import { makeExecFifo, releaseInit } from "../core/exec-fifo.ts";
import { processStartTime } from "../../state/proc.ts";
import { writeFileAtomic } from "../../state/files.ts";
import { RuntimeError } from "../errors.ts";
import { OciStore, checkId, type OciRecord, type OciState } from "./state.ts";
import { cgroupOf } from "../cgroup-of.ts";
import { can } from "../core/transitions.ts";
import { hasLiveInit } from "../core/status.ts";
import { signalContainer, killEverything, freezeContainer, thawContainer, releaseCgroup } from "../core/acts.ts";
import { parseSystemdPath } from "../../cgroups/systemd-scope.ts";
import { runHooks } from "./hooks.ts";
import { sendConsole } from "./console.ts";
import { hostRootBefore, removeHostRoot } from "./host-root.ts";
import { unheldCapabilities } from "../../linux/process/capabilities.ts";
import type { Narration } from "../narrate.ts";
import type { HostProbe } from "../../host/probe.ts";

export interface OciDeps extends CreateDeps {
  store: OciStore;
  /** Also what runc's checks ask the host probe: the kernel's last capability, systemd, SELinux. */
  host: Pick<HostProbe, "kernel" | "systemdBooted" | "selinux">;
}

/** runc's defaults added after the spec's device rules: what /dev and a pty need (specconv.AllowedDevices). */
const RUNC_ALLOWED_DEVICES = [
  { allow: true, type: "c", access: "m" }, { allow: true, type: "b", access: "m" },
  ...[[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [5, 1], [5, 2], [10, 200]].map(([major, minor]) => ({ allow: true, type: "c", major, minor, access: "rwm" })),
  { allow: true, type: "c", major: 136, access: "rwm" },
];

export function readBundleSpec(bundle: string): Spec {
  let text: string;
  try {
    text = readFileSync(`${bundle}/config.json`, "utf8");
  } catch (e) {
    throw new RuntimeError(`open ${bundle}/config.json: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`, 1);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new RuntimeError(`config.json: invalid JSON: ${(e as Error).message}`, 1); }
  return parseSpec(json);
}

export interface CreateRequest {
  id: string;
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds?: number;
  /** --systemd-cgroup: cgroupsPath is slice:prefix:name, and systemd makes the scope. */
  systemdCgroup?: boolean;
  /** --explain: narrate the steps on stderr. */
  narrate?: Narration;
  /** Its init, spawned before the bundle was checked (cli/runc/early-init.ts): used if it is the one the spec asks for. */
  init?: SpawnedInit;
}

/**
 * `create`: everything set up, the container's init blocked on the exec fifo. Returns the init's
 * process (a child of this one: when this process exits it goes to the caller's subreaper).
 */
export async function ociCreate(req: CreateRequest, deps: OciDeps): Promise<{ proc: Subprocess; rec: OciRecord; spec: Spec }> {
  const { store } = deps;
  const id = checkId(req.id);
  const bundle = resolve(req.bundle);
  const spec = readBundleSpec(bundle);
  if (spec.process?.terminal && !req.consoleSocket) throw new RuntimeError("cannot allocate tty if runc will detach without setting console socket", 1);
  if (!spec.process?.terminal && req.consoleSocket) throw new RuntimeError("cannot use console socket if runc will not detach or allocate tty", 1);
  refuseUnappliable(spec, deps);
  const cgroupsPath = ociCgroupsPath(spec.linux?.cgroupsPath, id, req.systemdCgroup === true, deps.host.systemdBooted);
  const rootfs = resolve(bundle, spec.root!.path);
  const linux = spec.linux ?? {};
  const runSpec: Spec = {
    ...spec,
    root: { ...spec.root!, path: rootfs },
    linux: { ...linux, cgroupsPath, resources: { ...linux.resources, devices: [...(linux.resources?.devices ?? []), ...RUNC_ALLOWED_DEVICES] as never } },
  };
  store.claim(id);
  const rec: OciRecord = {
    id, bundle, rootfs, created: new Date().toISOString(), annotations: spec.annotations ?? {},
    ociVersion: spec.ociVersion, cgroupDirs: [], cgroupsPath: runSpec.linux?.cgroupsPath,
    ...(linux.namespaces?.some((n) => n.type === "mount") ? {} : { hostRoot: hostRootBefore(rootfs, deps.sys) }),
  };
  let proc: Subprocess | undefined;
  const init = earlyInit(req.init, runSpec, req.preserveFds);
  try {
    const fifo = store.execFifo(id);
    const created = await createContainer(runSpec, id, {
      stdio: OCI_STDIO, init, waitForStart: false, execFifo: fifo, preserveFds: req.preserveFds, narrate: req.narrate,
      // Once the cgroup is made and the init is moving into it: the kernel's wait on that move
      // overlaps the record and the fifo (which the init opens only after its plan)
      prepare: () => {
        store.save(rec);
        makeExecFifo(fifo);
      },
      onConsole: req.consoleSocket ? (master) => sendConsole(req.consoleSocket!, master) : undefined,
      // The hooks of the create phase run when the init reaches pivot_root (see plan.ts)
      hookState: (pid) => ({ ...store.state({ ...rec, pid, startTime: processStartTime(pid) }), status: "creating" }),
      runtimeHooks: async (pid) => {
        const state = { ...store.state({ ...rec, pid, startTime: processStartTime(pid) }), status: "creating" as const };
        await runHooks("prestart", spec.hooks?.prestart, state);
        await runHooks("createRuntime", spec.hooks?.createRuntime, state);
      },
    }, deps);
    proc = created.proc;
    rec.pid = created.pid;
    rec.startTime = processStartTime(created.pid);
    // The limits and oomScoreAdj were applied by createContainer (the cgroup driver), before the init ran
    rec.cgroupDirs = created.cgroup.dirs;
    if (created.cgroup.unit) rec.cgroupUnit = created.cgroup.unit;
    store.save(rec);
    if (req.pidFile) writeFileAtomic(resolve(req.pidFile), String(created.pid), 0o644);
    return { proc, rec, spec };
  } catch (e) {
    if (proc) {
      try { proc.kill(9); } catch { /* gone */ }
      await proc.exited;
      releaseCgroup(rec);
    }
    if (rec.hostRoot) removeHostRoot(rec.hostRoot, deps.sys);
    store.removeDir(id);
    throw e;
  }
}

/**
 * The init spawned before the bundle was checked, if it is the very one this spec asks for (a new
 * pid namespace, no user namespace, the same fds and stage); else it is closed (it ends by itself
 * at EOF, nothing of it made) and createContainer spawns the right one.
 */
function earlyInit(init: SpawnedInit | undefined, spec: Spec, preserveFds: number | undefined): SpawnedInit | undefined {
  if (!init?.spawnedAs) return undefined;
  const namespaces = spec.linux?.namespaces ?? [];
  const pid = namespaces.find((n) => n.type === "pid");
  const wanted = { newPidNs: pid !== undefined && !pid.path, joinPidNs: pid?.path, stdio: OCI_STDIO, preserveFds, staysAsInit: bunboxSettings(spec.annotations).init };
  if (!namespaces.some((n) => n.type === "user") && sameSpawn(init.spawnedAs, wanted)) return init;
  init.channel.close();
  return undefined;
}

/**
 * The runtime spec: "if the runtime cannot apply a property as specified in the configuration, it
 * MUST generate an error and a new container MUST NOT be created". Checked before anything is made.
 */
function refuseUnappliable(spec: Spec, deps: OciDeps): void {
  refuseUnheldCapabilities(spec.process, deps);
  const label = spec.process?.selinuxLabel ? "process.selinuxLabel" : spec.linux?.mountLabel ? "linux.mountLabel" : undefined;
  if (label) {
    const why = deps.host.selinux ? "bunbox does not apply SELinux labels" : "SELinux is not enabled on this host";
    throw new RuntimeError(`${label} cannot be applied: ${why}: remove it from the spec`, 1);
  }
  // Per-mount id mappings (idmapped bind mounts): `features` says mountExtensions.idmap is off
  const idmapped = (spec.mounts ?? []).findIndex((m) => m.uidMappings?.length || m.gidMappings?.length);
  if (idmapped >= 0) {
    throw new RuntimeError(`mounts[${idmapped}] (${spec.mounts![idmapped]!.destination}): uidMappings/gidMappings cannot be applied: bunbox does not make idmapped bind mounts: remove them from the spec`, 1);
  }
}

/** runc's capset fails for a capability it lacks; bunbox says which, before anything is made. */
function refuseUnheldCapabilities(p: Process | undefined, deps: OciDeps): void {
  const unheld = unheldCapabilities(p?.capabilities ?? {}, deps.sys.capget().permitted, deps.host.kernel.lastCap);
  if (!unheld.length) return;
  const them = unheld.length > 1 ? "them" : "it";
  throw new RuntimeError(`process.capabilities: ${unheld.join(", ")} not held by bunbox itself (this host withholds ${them}), so the container cannot have ${them}: remove ${them} from the spec`, 1);
}

/** runc's rules: with --systemd-cgroup the path is slice:prefix:name (by default system.slice:bunbox:ID), without it a path. */
function ociCgroupsPath(path: string | undefined, id: string, systemd: boolean, systemdBooted: boolean): string {
  const scope = parseSystemdPath(path);
  if (systemd) {
    if (!systemdBooted) throw new RuntimeError("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system): leave the flag out, bunbox then makes the cgroup itself", 1);
    if (path === undefined || path === "") return `system.slice:bunbox:${id}`;
    if (!scope) throw new RuntimeError(`expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${JSON.stringify(path)} instead`, 1);
    return path;
  }
  if (scope) throw new RuntimeError(`cgroupsPath ${JSON.stringify(path)} is in the systemd form (slice:prefix:name): pass --systemd-cgroup, as to runc, or give a path`, 1);
  return path || `bunbox/${id}`;
}

/** `start`: release a created container (read its exec fifo), then the poststart hooks. */
export async function ociStart(id: string, deps: OciDeps): Promise<void> {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "start");
  await startCreated(rec, () => hooksOf(rec.bundle, "poststart"), deps);
}

/**
 * `run`'s start of the container its create just made: the record and spec it holds already
 * (read again from disk, they cost ~2 ms of every `runc run`), the status known to be created.
 */
export async function ociStartCreated(created: { rec: OciRecord; spec: Spec }, deps: OciDeps): Promise<void> {
  await startCreated(created.rec, () => created.spec.hooks?.poststart, deps);
}

async function startCreated(rec: OciRecord, poststartOf: () => NonNullable<Spec["hooks"]>["poststart"], deps: OciDeps): Promise<void> {
  const { store } = deps;
  const id = rec.id;
  let released: boolean;
  try {
    released = releaseInit(store.execFifo(id), rec, deps.sys);
  } catch (e) {
    // runc's start fails with 1, whatever Docker would answer
    if (e instanceof RuntimeError && e.exitCode !== 1) throw new RuntimeError(e.message, 1);
    throw e;
  }
  if (!released) store.permit(rec, "start", "stopped");
  const poststart = poststartOf();
  if (!poststart?.length) return;
  try {
    // After the program started (the fifo closed at its execve): the state says so (runc says "created")
    const state = store.state(rec);
    await runHooks("poststart", poststart, state.status === "created" ? { ...state, status: "running" } : state);
  } catch { /* poststart failures are logged by runc, not fatal */ }
}

export function ociKill(id: string, signal: number, all: boolean, deps: OciDeps): void {
  const { store } = deps;
  const rec = store.get(id);
  const status = store.status(rec);
  store.permit(rec, "kill", status);
  signalContainer(rec, status, signal, all);
}

/** `spec`: the bundle's, when the caller holds it already (`run`, which created the container). */
export async function ociDelete(id: string, force: boolean, deps: OciDeps, spec?: Spec): Promise<void> {
  const { store } = deps;
  checkId(id);
  const rec = store.load(id);
  if (!rec) {
    if (force) { store.removeDir(id); return; }
    throw new RuntimeError("container does not exist", 1);
  }
  const status = store.status(rec);
  if (can(status, "delete") !== "ok" && !force) store.permit(rec, "delete", status);
  // runc's destroy: a created container's waiting init goes too, without --force
  if (hasLiveInit(status)) await killEverything(rec, status);
  releaseCgroup(rec);
  if (rec.hostRoot) removeHostRoot(rec.hostRoot, deps.sys);
  const poststop = spec ? spec.hooks?.poststop : hooksOf(rec.bundle, "poststop");
  if (poststop?.length) {
    try {
      await runHooks("poststop", poststop, { ...store.state(rec), status: "stopped", pid: 0 });
    } catch { /* logged, not fatal (runc) */ }
  }
  store.removeDir(id);
}

export async function ociPause(id: string, deps: OciDeps): Promise<void> {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "pause");
  if (!(await freezeContainer(rec))) throw new RuntimeError("cannot pause: no freezer cgroup", 1);
}

export function ociResume(id: string, deps: OciDeps): void {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "resume");
  thawContainer(rec);
}

export function ociPs(id: string, deps: OciDeps): number[] {
  const rec = deps.store.get(id);
  return cgroupOf(rec).pids();
}

export function ociUpdate(id: string, resources: LinuxResources, deps: OciDeps): void {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "update");
  try {
    cgroupOf(rec).update(deps.cgroupHost, resources);
  } catch (e) {
    throw new RuntimeError((e as Error).message, 1);
  }
}

export interface ExecRequest {
  id: string;
  process: Process;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
}

/** `exec`: a new process in the running container (the engine's exec stage). Returns its status (0 when detached). */
export async function ociExec(req: ExecRequest, deps: OciDeps): Promise<number> {
  const { store } = deps;
  const rec = store.get(req.id);
  store.permit(rec, "exec");
  const p = req.process;
  refuseUnheldCapabilities(p, deps);
  if (p.terminal && !req.consoleSocket) throw new RuntimeError("cannot allocate tty if runc will detach without setting console socket", 1);
  const spec = readBundleSpec(rec.bundle);
  const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, deps.seccompCache) : undefined;
  // runc exec: the process's own profile (--apparmor, process.json), else the container's
  const apparmor = p.apparmorProfile ?? spec.process?.apparmorProfile;
  if (apparmor) (await import("../apparmor.ts")).prepareProfile(apparmor, deps.appArmor, { noNewPrivileges: p.noNewPrivileges });
  const steps = planExec(rec.pid!, spec.linux?.namespaces ?? [], {
    args: p.args ?? [], env: p.env ?? [], cwd: p.cwd ?? "/",
    user: p.user ?? { uid: 0, gid: 0 },
    capabilities: p.capabilities as never,
    noNewPrivileges: p.noNewPrivileges,
  }, { closeStdin: false, terminal: p.terminal, console: p.terminal, seccomp, apparmor });
  const started = await startExec(deps.sys, { pid: rec.pid, name: rec.id, cgroupDirs: rec.cgroupDirs }, steps, {
    stdio: ["inherit", "inherit", "inherit"], detach: req.detach, oomScoreAdj: p.oomScoreAdj,
    freezeWhileStarting: containerMayPtrace(spec.process?.capabilities) ? { lockPath: `${deps.store.dir(rec.id)}/exec-freeze.lock` } : undefined,
    onConsole: req.consoleSocket ? (master) => sendConsole(req.consoleSocket!, master) : undefined,
    onStarted: (pid) => {
      if (req.pidFile) writeFileAtomic(resolve(req.pidFile), String(pid), 0o644);
    },
  });
  if (req.pidFile && req.detach) writeFileAtomic(resolve(req.pidFile), String(started.pid), 0o644);
  return started.status;
}

export function ociState(id: string, deps: OciDeps): OciState {
  return deps.store.state(deps.store.get(id));
}

/**
 * The bundle's `kind` hooks, or undefined if it has none or cannot be read. Checked against the
 * schema only when there are some: start and delete (each a process of their own under Docker
 * and containerd) paid ~the schema's construction for every container to learn there were none.
 */
function hooksOf(bundle: string, kind: "poststart" | "poststop"): NonNullable<Spec["hooks"]>["poststart"] {
  try {
    const raw = JSON.parse(readFileSync(`${bundle}/config.json`, "utf8")) as { hooks?: Record<string, unknown[] | undefined> } | null;
    if (!raw?.hooks?.[kind]?.length) return undefined;
    return readBundleSpec(bundle).hooks?.[kind];
  } catch {
    return undefined;
  }
}

