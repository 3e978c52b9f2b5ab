// Docker's verbs on a container that exists, over the container core (runtime/core/): its status
// in Docker's words, the core's transition table with Docker's refusals, signals, waiting,
// removal. The CLI commands are thin wrappers around these.
import type { ContainerStore, ContainerRecord } from "../state/containers.ts";
import { isAlive } from "../state/proc.ts";
import { SIGNALS } from "../sys/constants.ts";
import { RuntimeError } from "./errors.ts";
import { removeContainerFilesNow } from "./supervise.ts";
import { readStatus, hostFacts, type HostFacts } from "./core/facts.ts";
import type { CoreStatus } from "./core/status.ts";
import { allow, can, type Verb } from "./core/transitions.ts";
import { dockerStatus, dockerRefusal, type DockerStatus } from "./core/words-docker.ts";
import { releaseInit } from "./core/exec-fifo.ts";
import { signalContainer, killEverything, freezeContainer, thawContainer, releaseCgroup } from "./core/acts.ts";

/**
 * The core status of a Docker container. Its watcher (or stop, or gc) records its end, and that
 * record is a fact too: a pid recorded without "created" and then lost means it ended.
 */
export function coreStatusOf(rec: ContainerRecord, host: HostFacts = hostFacts): CoreStatus {
  const endRecorded = rec.exitCode !== undefined || rec.status === "exited" || (rec.status !== "created" && rec.pid === undefined);
  const status = readStatus(rec, { endRecorded, execFifo: execFifoOf(rec) }, host);
  // Made by `bunbox create` and never started: Docker's Created even once its waiting init is
  // gone (a reboot, a kill); `start` then sets it up anew
  const neverStarted = rec.manualStart === true && rec.status === "created" && rec.startedAt === undefined;
  return status === "stopped" && neverStarted && !endRecorded ? "creating" : status;
}

/** Where `bunbox create` leaves the init waiting (runc's exec fifo): in the bundle, root's alone. */
export function execFifoOf(rec: Pick<ContainerRecord, "bundle">): string {
  return `${rec.bundle}/exec.fifo`;
}

export function statusOf(rec: ContainerRecord): DockerStatus {
  return dockerStatus(coreStatusOf(rec));
}

/** What the transition table answers for a Docker verb on this container; a refusal is thrown in Docker's words. */
export function permit(rec: ContainerRecord, verb: Verb, status = coreStatusOf(rec)): "ok" | "noop" {
  return allow(status, verb, dockerRefusal, rec);
}

/** Ended, and its monitor (still alive) waits to start it again, or is starting it, under its --restart policy. */
export function isRestarting(rec: ContainerRecord): boolean {
  const s = statusOf(rec);
  return rec.restartPending === true && (s === "exited" || s === "created") && isAlive(rec.watcherPid, rec.watcherStart);
}

/**
 * Running, but the bunbox that watched it (a -d container's monitor) is gone, killed: its output
 * is no longer recorded and its end will be recorded by the next `bunbox gc` only.
 */
export function isUnmonitored(rec: ContainerRecord): boolean {
  return rec.watcherPid !== undefined && isRunning(rec) && !isAlive(rec.watcherPid, rec.watcherStart);
}

export function isRunning(rec: ContainerRecord): boolean {
  const s = statusOf(rec);
  return s === "running" || s === "paused";
}

/** A signal given as a name (TERM, SIGTERM) or a number (15). */
export function signalNumber(sig: string): number {
  if (/^\d+$/.test(sig)) {
    const n = Number(sig);
    if (n >= 1 && n <= 64) return n;
  } else {
    const n = SIGNALS[sig.toUpperCase().replace(/^SIG/, "")];
    if (n !== undefined) return n;
  }
  throw new RuntimeError(`Invalid signal: ${sig}`, 125);
}

export function killContainer(rec: ContainerRecord, signal: number): void {
  const status = coreStatusOf(rec);
  permit(rec, "kill-program", status);
  signalContainer(rec, status, signal);
}

/**
 * Waits until the container is no longer running; true if it ended within timeoutMs.
 * throughCreated: one not started yet is waited for too (docker wait blocks until it has run).
 */
export async function waitUntilStopped(store: ContainerStore, id: string, timeoutMs: number, opts: { throughCreated?: boolean } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rec = store.load(id);
    if (!rec || (!isRunning(rec) && !(opts.throughCreated && statusOf(rec) === "created"))) return true;
    if (Date.now() >= deadline) return false;
    await Bun.sleep(20);
  }
}

/**
 * SIGTERM (or the container's stop signal), then SIGKILL after `seconds`; a negative `seconds`
 * waits for as long as it takes (Docker's stop). Returns once it has ended and been recorded.
 */
export async function stopContainer(store: ContainerStore, rec: ContainerRecord, seconds: number, signal = 15): Promise<void> {
  cancelRestarts(store, rec);
  const status = coreStatusOf(rec);
  if (permit(rec, "stop", status) === "noop") return;
  // Thawed first, whatever the signal: a frozen process would not see SIGTERM until resumed
  if (status === "paused") thawContainer(rec);
  signalContainer(rec, status, signal);
  let sent = signal;
  if (!(await waitUntilStopped(store, rec.id, seconds < 0 ? Infinity : seconds * 1000))) {
    try { process.kill(rec.pid!, 9); } catch { /* already gone */ }
    sent = 9;
    await waitUntilStopped(store, rec.id, 10_000);
  }
  await recordExitIfUnwatched(store, rec.id, 128 + sent);
}

/** Said before it is ended: a restart policy must not start it again, not even one waiting to (Docker's stop). */
function cancelRestarts(store: ContainerStore, rec: ContainerRecord): void {
  if (rec.restartPolicy && rec.restartPolicy.Name !== "no") store.update(rec.id, { stopRequested: true });
}

/**
 * A container whose watcher died (its bunbox was killed) has nobody to record its end: once its
 * pid is gone, record it exited, with the status the signal we sent implies.
 */
export async function recordExitIfUnwatched(store: ContainerStore, id: string, impliedStatus?: number): Promise<void> {
  for (let i = 0; i < 25; i++) {
    const rec = store.load(id);
    if (!rec || rec.exitCode !== undefined) return;
    await Bun.sleep(20);
  }
  store.withLock(id, () => {
    const rec = store.load(id);
    if (!rec || rec.exitCode !== undefined || isRunning(rec)) return;
    store.save({ ...rec, status: "exited", exitCode: impliedStatus ?? -1, finishedAt: new Date().toISOString() });
  });
}

/**
 * Docker's start of a container `bunbox create` left waiting: its init goes on to run the
 * program. Returns once the program runs; throws why it could not, as its monitor recorded it.
 */
export async function startCreated(store: ContainerStore, rec: ContainerRecord): Promise<void> {
  // Held as `wait` holds it: a start that fails removes the container, once its reason is read here
  const release = store.holdForWaiter(rec.id);
  try {
    if (!releaseInit(execFifoOf(rec), rec)) throw new RuntimeError(`cannot start container ${rec.name}: it ended while it waited to start`, 1);
    for (;;) {
      const now = store.load(rec.id);
      if (!now || now.startedAt !== undefined) return;
      // Before the monitor's liveness: it records why the program could not start, then ends
      if (now.exitCode !== undefined) throw new RuntimeError(now.startError ?? `container ${rec.name} ended before its program started`, now.exitCode);
      if (!isAlive(now.watcherPid, now.watcherStart)) return;
      await Bun.sleep(5);
    }
  } finally {
    release?.();
  }
}

/** Docker's rm: refuses a running container unless forced; removes state, files and cgroups (and with -v its anonymous volumes). */
export async function removeContainer(store: ContainerStore, rec: ContainerRecord, force: boolean, volumes = false): Promise<void> {
  const status = coreStatusOf(rec);
  if (can(status, "delete") !== "ok") {
    if (!force) permit(rec, "delete", status);
    await stopContainer(store, rec, 0, 9);
  } else if (status === "created") {
    // Its init waits on the exec fifo: it goes (runc's delete of a created container), and its
    // monitor records the end before the record goes
    cancelRestarts(store, rec);
    await killEverything(rec, status);
    await recordExitIfUnwatched(store, rec.id, 137);
  }
  // A `bunbox wait` reads the status first; it may itself need the record's lock to do so
  store.whenUnwaited(rec.id, () => store.withLock(rec.id, () => {
    const current = store.load(rec.id) ?? rec;
    releaseCgroup(current);
    removeContainerFilesNow(store, current, { volumes });
  }));
}


// ---- pause/unpause: the cgroup freezer (src/cgroups/freezer.ts) ----

export async function pauseContainer(rec: ContainerRecord): Promise<void> {
  permit(rec, "pause-program");
  if (!(await freezeContainer(rec))) throw new RuntimeError(`cannot pause container ${rec.name}: no freezer cgroup`, 1);
}

export function unpauseContainer(rec: ContainerRecord): void {
  permit(rec, "resume");
  thawContainer(rec);
}
