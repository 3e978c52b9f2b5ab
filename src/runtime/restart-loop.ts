// What the monitor of a detached container does when it has ended under a --restart policy: wait
// Docker's back-off, then make the record a fresh start, unless someone stopped, started or
// removed the container meanwhile (then this monitor's work is over).
import type { ContainerStore, ContainerRecord } from "../state/containers.ts";
import { shouldRestart, nextDelay } from "../config/restart-policy.ts";

export class RestartLoop {
  private delay = 0;

  constructor(private readonly store: ContainerStore, private readonly id: string) {}

  /** The record to start again, or undefined: the monitor ends. `ranMs`: how long the last run lasted. */
  async next(ranMs: number): Promise<ContainerRecord | undefined> {
    const ended = this.store.load(this.id);
    if (!ended?.restartPolicy || ended.status !== "exited") return undefined;
    const again = shouldRestart(ended.restartPolicy, {
      exitCode: ended.exitCode ?? 0, restartCount: ended.restartCount ?? 0, stopped: ended.stopRequested === true, killed: ended.killedByUser === true,
    });
    if (!again) return undefined;
    this.delay = nextDelay(this.delay, ranMs);
    // Still the run that ended (same pid), and not stopped or removed since
    const same = (r: ContainerRecord | undefined): r is ContainerRecord => r !== undefined && r.status === "exited" && r.pid === ended.pid && r.startedAt === ended.startedAt;
    this.store.withLock(this.id, () => {
      const now = this.store.load(this.id);
      if (same(now)) this.store.save({ ...now, restartPending: true });
    });
    await Bun.sleep(this.delay);
    return this.store.withLock(this.id, () => {
      const now = this.store.load(this.id);
      if (!same(now)) return undefined;
      if (now.stopRequested) {
        this.store.save({ ...now, restartPending: undefined });
        return undefined;
      }
      const fresh: ContainerRecord = {
        ...now, status: "created", pid: undefined, startTime: undefined, exitCode: undefined, finishedAt: undefined, oomKilled: undefined,
        // Still "restarting" until it runs (ps, inspect; start leaves it alone meanwhile)
        restartPending: true, killedByUser: undefined, restartCount: (now.restartCount ?? 0) + 1,
      };
      this.store.save(fresh);
      return fresh;
    });
  }
}
