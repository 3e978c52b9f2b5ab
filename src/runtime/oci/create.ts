// `runc create` (and `run`'s first half) on the shared engine: the bundle checked, refused in one
// line if it asks for what bunbox cannot apply, then createContainer with the exec fifo; the
// record and the fifo are written while the init moves into its cgroup.
import { resolve } from "node:path";
import type { Subprocess } from "bun";
import type { Spec, Process } from "../../config/schema.ts";
import { createContainer } from "../create.ts";
import { sameSpawn, OCI_STDIO, type SpawnedInit } from "../spawn-init.ts";
import { bunboxSettings } from "../../config/annotations.ts";
import { makeExecFifo } from "../core/exec-fifo.ts";
import { processStartTime } from "../../state/proc.ts";
import { writeFileAtomic } from "../../state/files.ts";
import { RuntimeError } from "../errors.ts";
import { checkId, type OciRecord } from "./state.ts";
import { releaseCgroup } from "../core/acts.ts";
import { runHooks } from "./hooks.ts";
import { sendConsole } from "./console.ts";
import { hostRootBefore, removeHostRoot } from "./host-root.ts";
import { unheldCapabilities } from "../../linux/process/capabilities.ts";
import { readBundleSpec } from "./bundle.ts";
import type { Narration } from "../narrate.ts";
import type { OciDeps } from "./container.ts";
import { ociCgroupsPath, ociDevices } from "./cgroup-target.ts";
import { abandonEarlyCgroup, earlyCgroupFits } from "../early-cgroup.ts";

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
    linux: { ...linux, cgroupsPath, resources: { ...linux.resources, devices: ociDevices(linux.resources?.devices) } },
  };
  store.claim(id);
  const rec: OciRecord = {
    id, bundle, rootfs, created: new Date().toISOString(), annotations: spec.annotations ?? {},
    ociVersion: spec.ociVersion, cgroupDirs: [], cgroupsPath: runSpec.linux?.cgroupsPath,
    ...(linux.namespaces?.some((n) => n.type === "mount") ? {} : { hostRoot: hostRootBefore(rootfs, deps.sys) }),
  };
  let proc: Subprocess | undefined;
  const init = await earlyInit(req.init, runSpec, req.preserveFds);
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
 * pid namespace, no user namespace, the same fds and stage) and so is the cgroup made with it, if
 * any (the same path and device rules: only a config.json rewritten in between differs). Else it
 * is undone (without a cgroup it ends by itself at EOF; with one it is ended, then the cgroup
 * removed) and createContainer spawns the right one.
 */
async function earlyInit(init: SpawnedInit | undefined, spec: Spec, preserveFds: number | undefined): Promise<SpawnedInit | undefined> {
  if (!init?.spawnedAs) return undefined;
  const namespaces = spec.linux?.namespaces ?? [];
  const pid = namespaces.find((n) => n.type === "pid");
  const wanted = { newPidNs: pid !== undefined && !pid.path, joinPidNs: pid?.path, stdio: OCI_STDIO, preserveFds, staysAsInit: bunboxSettings(spec.annotations).init };
  const linux = { cgroupsPath: spec.linux?.cgroupsPath ?? "", resources: spec.linux?.resources ?? {} };
  if (!namespaces.some((n) => n.type === "user") && sameSpawn(init.spawnedAs, wanted) && (!init.early || earlyCgroupFits(init.early, linux))) return init;
  if (init.early) await abandonEarlyCgroup(init);
  else init.channel.close();
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
export function refuseUnheldCapabilities(p: Process | undefined, deps: OciDeps): void {
  const unheld = unheldCapabilities(p?.capabilities ?? {}, deps.sys.capget().permitted, deps.host.kernel.lastCap);
  if (!unheld.length) return;
  const them = unheld.length > 1 ? "them" : "it";
  throw new RuntimeError(`process.capabilities: ${unheld.join(", ")} not held by bunbox itself (this host withholds ${them}), so the container cannot have ${them}: remove ${them} from the spec`, 1);
}
