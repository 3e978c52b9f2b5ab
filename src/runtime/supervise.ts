// Watching one container from start to end: create it (the shared engine), record it running,
// wait for its PID 1, record how it ended, clean up. Used by an attached `run` (in the CLI
// process) and by the monitor of a detached one.
import { VolumeStore, volumesDirFor } from "../state/volumes.ts";
import { removeTree } from "../sys/remove-tree.ts";
import type { Spec } from "../config/schema.ts";
import type { ContainerStore, ContainerRecord } from "../state/containers.ts";
import { processStartTime } from "../state/proc.ts";
import { releaseCgroup } from "./core/acts.ts";
import type { ContainerCgroup } from "../cgroups/driver.ts";
import type { OwnedCgroup } from "../cgroups/owned.ts";
import { humanBytes } from "../config/resource-flags.ts";
import { createContainer, initFailure, type CreateDeps, type Created } from "./create.ts";
import { exitStatus, FORWARDED_SIGNALS } from "./exit-status.ts";
import { RuntimeError } from "./errors.ts";
import { BunboxError } from "../errors.ts";
import { filteredExecFailure, type FromInit } from "./sync.ts";
import type { SpawnedInit, StdioSpec } from "./spawn-init.ts";
import type { Narration } from "./narrate.ts";
import { mark } from "./timeline.ts";

export interface SuperviseOptions {
  stdio: StdioSpec;
  init?: SpawnedInit;
  /** The init's cgroup, made already (create.ts startCgroup). */
  cgroup?: OwnedCgroup;
  /** Pass bunbox's own SIGINT/SIGTERM/… on to the container (attached runs). */
  forwardSignals: boolean;
  /** Kill the container if this process dies (attached runs; a -d monitor's container outlives it). */
  dieWithParent?: boolean;
  /** --explain: narrate the steps on stderr. */
  narrate?: Narration;
  /** -t: the init opens the pty inside the container and hands its master here (kept open by the callee). */
  onConsole?(master: number): void;
  /** The program is running (execve done): e.g. a monitor tells the CLI it can return. */
  onStarted?(rec: ContainerRecord, created: Created): void;
  /** A failed start records the container exited instead of removing it (a --restart policy's next run). */
  keepOnFailure?: boolean;
  /**
   * `bunbox create`: the init waits on this exec fifo before its program, until `bunbox start`
   * opens it (runc's create). onCreated is called once it waits; the program's start is recorded
   * (startedAt) when it runs.
   */
  execFifo?: string;
  onCreated?(rec: ContainerRecord, created: Created): void;
  /**
   * The record is not written yet: this writes it (name, bundle, record) and returns it, called
   * while the init joins its cgroup (create.ts prepare). If it throws, it has undone its own part.
   */
  writeRecord?(running: Partial<ContainerRecord>): ContainerRecord;
}

export interface SuperviseDeps extends CreateDeps {
  store: ContainerStore;
}

/** Returns the container's exit status; throws RuntimeError if it could not start. */
export async function superviseContainer(rec: ContainerRecord, spec: Spec, opts: SuperviseOptions, deps: SuperviseDeps): Promise<number> {
  const { store } = deps;
  let created: Created | undefined;
  let record = rec;
  /** Whether the record is in the store (a failure below is then recorded, or the container removed). */
  let recorded = opts.writeRecord === undefined;
  // Before the program can run (and bunbox be killed): the pid and who watches it
  const spawned = (pid: number, cgroup: ContainerCgroup): Partial<ContainerRecord> => ({ pid, startTime: processStartTime(pid), watcherPid: process.pid, watcherStart: processStartTime(process.pid), cgroupDirs: cgroup.dirs, cgroupUnit: cgroup.unit });
  const written = opts.writeRecord && {
    // The record is written once, with them (a write less on the way to the start)
    // and as running: its pid is alive from now on, which is what its status is read from
    // (core/status.ts), so the update after "ready" is not needed either
    prepare: (pid: number, cgroup: ContainerCgroup) => {
      record = opts.writeRecord!({ ...spawned(pid, cgroup), status: "running", startedAt: new Date().toISOString() });
      recorded = true;
    },
  };
  try {
    created = await createContainer(spec, rec.id, {
      stdio: opts.stdio, waitForStart: false, init: opts.init, cgroup: opts.cgroup, narrate: opts.narrate, onConsole: opts.onConsole, dieWithParent: opts.dieWithParent, execFifo: opts.execFifo, lookupAtStart: opts.execFifo !== undefined,
      ...(written ?? { onSpawned: (pid: number, cgroup: ContainerCgroup) => { store.update(rec.id, spawned(pid, cgroup)); } }),
    }, deps);
    const { proc, pid } = created;
    const forward = opts.forwardSignals ? forwardSignals(pid) : () => {};
    const waits = opts.execFifo !== undefined;
    // While it waits on the exec fifo it stays "created" (its status comes from the facts: the
    // fifo is there), and this says who watches it
    const running: Partial<ContainerRecord> = {
      status: waits ? "created" : "running", pid, startTime: processStartTime(pid), watcherPid: process.pid, watcherStart: processStartTime(process.pid),
      startedAt: waits ? undefined : new Date().toISOString(), exitCode: undefined, finishedAt: undefined, oomKilled: undefined, cgroupDirs: created.cgroup.dirs, cgroupUnit: created.cgroup.unit,
      restartPending: undefined,
    };
    if (!written) record = store.update(rec.id, running) ?? { ...record, ...running };
    if (waits) opts.onCreated?.(record, created);
    // EOF: execve worked (the channel is close-on-exec); a message: it failed
    const afterExec = created.channel.receive<FromInit>();
    if (afterExec?.type === "error") throw initFailure(afterExec);
    const silent = afterExec ? undefined : filteredExecFailure(deps.sys, pid);
    if (silent) throw new RuntimeError(silent, 126);
    mark("program running (its execve closed the channel)");
    if (waits) record = store.update(rec.id, { status: "running", startedAt: new Date().toISOString() }) ?? record;
    opts.onStarted?.(record, created);
    const code = await proc.exited.then(() => exitStatus(proc.exitCode, proc.signalCode as string | null));
    forward();
    mark("program exited");
    // Read from the cgroup's own counters (memory.events / memory.oom_control), before it goes
    const oom = created.cgroup.oom();
    finish(deps, created, record, { status: "exited", exitCode: code, finishedAt: new Date().toISOString(), ...(oom.killed ? { oomKilled: true } : {}) });
    mark("cleaned up (cgroup, record, and the bundle with --rm)");
    // Said when the OOM kill ended the container (its status shows it: 137 when PID 1 was the one
    // killed); a child killed while PID 1 went on to exit 0 is only recorded
    if (oom.killed && code !== 0) {
      const limit = oom.limit !== undefined ? ` (limit ${humanBytes(oom.limit)})` : "";
      throw new OomKilled(`container ${record.name} was killed: out of memory${limit}`, code);
    }
    return code;
  } catch (e) {
    if (e instanceof OomKilled || !recorded) throw e;
    // The init said why and is ending: gone, and reaped, before its end is recorded. Until then
    // its pid is alive (a zombie has a start time too), and a `ps` that read the record just after
    // a failed `start` returned said "Up" (seen in CI); its cgroup cannot be removed either
    if (created) {
      try { created.proc.kill(9); } catch { /* gone already */ }
      await created.proc.exited;
    }
    // startError: what `bunbox start` says when the program it released could not run
    const failedStart = opts.execFifo !== undefined && created !== undefined ? { startError: (e as Error).message } : {};
    finish(deps, created, record, { status: "exited", exitCode: e instanceof BunboxError ? e.exitCode : 125, finishedAt: new Date().toISOString(), ...failedStart }, !opts.keepOnFailure);
    throw e;
  }
}

/** SIGINT, SIGTERM … sent to bunbox go on to pid until the returned function is called. */
export function forwardSignals(pid: number): () => void {
  const offs = FORWARDED_SIGNALS.map((sig) => {
    const handler = () => { try { process.kill(pid, sig); } catch { /* already gone */ } };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  return () => offs.forEach((off) => off());
}

/** The cgroup goes with the container; the record and bundle go too with --rm or a failed start. */
function finish(deps: SuperviseDeps, created: Created | undefined, rec: ContainerRecord, end: Partial<ContainerRecord>, failed = false): void {
  if (created) {
    releaseCgroup(created.cgroup);
  }
  // --rm and nobody waiting for its status: removed without its end written first (a write
  // less on the way out); a `bunbox wait` holding it gets the end, then the removal waits for it.
  // Only for --rm: the exclusive hold this takes made a `wait` just then on any other container
  // say "no such container" (it holds the record shared, and takes a held one as being removed)
  if (!failed && rec.autoRemove && deps.store.removeIfUnwaited(rec.id, (r) => r.autoRemove === true && !r.restarting, (r) => removeContainerFilesNow(deps.store, r, { volumes: true }))) return;
  // The current record: it may have been renamed meanwhile
  const current = deps.store.update(rec.id, end) ?? { ...rec, ...end };
  if ((current.autoRemove && !current.restarting) || failed) removeContainerFiles(deps.store, current);
}

/**
 * Once every `bunbox wait` has read the exit status: the bundle, then the record. Called for --rm
 * and for a container that failed to start, so its anonymous volumes go too (Docker's --rm).
 */
export function removeContainerFiles(store: ContainerStore, rec: ContainerRecord): void {
  store.whenUnwaited(rec.id, () => removeContainerFilesNow(store, rec, { volumes: true }));
}

/** The same, for a caller that is already inside store.whenUnwaited; `volumes`: rm -v. */
export function removeContainerFilesNow(store: ContainerStore, rec: ContainerRecord, opts: { volumes?: boolean } = {}): void {
  // fd-based and depth-proof: the upper layer holds whatever the container wrote
  removeTree(rec.bundle);
  store.remove(rec);
  if (opts.volumes) removeAnonymousVolumes(store, rec);
}

/** Its anonymous volumes, unless another container mounts one (named by hand: -v <hex>:/x). */
function removeAnonymousVolumes(store: ContainerStore, rec: ContainerRecord): void {
  const mine = (rec.volumes ?? []).filter((v) => v.anonymous);
  if (!mine.length) return;
  const used = new Set(store.list().filter((r) => r.id !== rec.id).flatMap((r) => (r.volumes ?? []).map((v) => v.name)));
  const volumes = new VolumeStore(volumesDirFor(store.containersDir));
  for (const v of mine) if (!used.has(v.name)) volumes.remove(v.name);
}

/** The container ended because the kernel's OOM killer hit its memory limit (its status stays the exit code). */
export class OomKilled extends RuntimeError {}
