// What the verbs do to a container's processes and cgroup, the same for both front ends: one
// signal path, one forced kill, one freeze/thaw and one cgroup removal, all through the
// container's OwnedCgroup (src/cgroups/owned.ts), which alone knows how the cgroup is laid out.
import { isAlive } from "../../state/proc.ts";
import type { CoreRecord } from "../../state/record.ts";
import { cgroupOf } from "../cgroup-of.ts";
import type { CoreStatus } from "./status.ts";

/** A process that is already gone is no error: the container may end while it is signalled. */
function sendSignal(pid: number, signal: number): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/**
 * `signal` to the init, or with `all` to every process in its cgroup (runc kill --all). A frozen
 * process takes no signal, not even SIGKILL, until thawed (cgroup v1 freezer): a paused container
 * that is killed is let go so that it dies, as runc and Docker do; other signals wait for resume.
 */
export function signalContainer(rec: CoreRecord, status: CoreStatus, signal: number, all = false): void {
  const cgroup = cgroupOf(rec);
  for (const pid of all ? cgroup.pids() : [rec.pid!]) sendSignal(pid, signal);
  if (signal === 9 && status === "paused") cgroup.thaw();
}

/**
 * A forced delete: SIGKILL to the init and to everything in its cgroup (a process that left the
 * pid namespace's tree still holds the cgroup), thawed so that they die; then waits up to
 * timeoutMs for the init to be gone.
 */
export async function killEverything(rec: CoreRecord, status: CoreStatus, timeoutMs = 5000): Promise<void> {
  if (rec.pid === undefined) return;
  const cgroup = cgroupOf(rec);
  for (const pid of new Set([rec.pid, ...cgroup.pids()])) sendSignal(pid, 9);
  if (status === "paused") cgroup.thaw();
  for (const deadline = Date.now() + timeoutMs; isAlive(rec.pid, rec.startTime) && Date.now() < deadline;) await Bun.sleep(10);
}

/** The freezer holds every process of the container; false if it has no freezer cgroup. */
export function freezeContainer(rec: CoreRecord): Promise<boolean> {
  return cgroupOf(rec).freeze();
}

export function thawContainer(rec: CoreRecord): void {
  cgroupOf(rec).thaw();
}

export function isFrozen(rec: CoreRecord): boolean {
  return cgroupOf(rec).isFrozen();
}

/**
 * The container's cgroup goes with it. One still busy (a process not yet reaped, a systemd scope
 * slow to stop) is left for `bunbox gc`, as runc leaves it: the container is gone either way, and
 * a delete that failed here would leave a record whose process no longer exists. False if left.
 */
export function releaseCgroup(cgroup: CoreRecord | { remove(): void }): boolean {
  try {
    ("remove" in cgroup ? cgroup : cgroupOf(cgroup)).remove();
    return true;
  } catch {
    return false;
  }
}
