// One status for every container, whichever front end made it, derived from facts as runc's
// refreshState and crun's pid check do, never trusted from a record alone: a record can outlive
// its process (bunbox killed, host rebooted) and a pid can be reused by another program.
export type CoreStatus = "creating" | "created" | "running" | "paused" | "stopped";

export const CORE_STATUSES: readonly CoreStatus[] = ["creating", "created", "running", "paused", "stopped"];

/** What is known of a container now. The costly facts are functions, read only when they decide. */
export interface StatusFacts {
  /** Its end was recorded (by its watcher, `stop` or gc): stopped, whatever else holds. */
  endRecorded: boolean;
  /** A pid was recorded: its init was spawned. */
  hasPid: boolean;
  /** That pid is alive with the start time recorded with it (not reused, not a zombie). */
  alive(): boolean;
  /** The exec fifo is still there: the init waits before its program until `start` opens it. */
  execFifo(): boolean;
  /** The cgroup freezer holds it. */
  frozen(): boolean;
}

export function deriveStatus(f: StatusFacts): CoreStatus {
  if (f.endRecorded) return "stopped";
  if (!f.hasPid) return "creating";
  if (!f.alive()) return "stopped";
  if (f.execFifo()) return "created";
  return f.frozen() ? "paused" : "running";
}

/** Its init is alive: a signal, a freeze or a forced delete has a process to act on. */
export function hasLiveInit(s: CoreStatus): boolean {
  return s === "created" || s === "running" || s === "paused";
}
