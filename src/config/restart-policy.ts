// --restart no|on-failure[:N]|always|unless-stopped: Docker's parsing (the CLI's, then the daemon's
// checks) and its restart manager's decision and back-off. bunbox has no daemon: the monitor of a
// detached container carries the policy out while the host is up; nothing restarts containers
// after a reboot (README says so).
import { UsageError } from "./errors.ts";

export interface RestartPolicy {
  Name: "no" | "always" | "unless-stopped" | "on-failure";
  MaximumRetryCount: number;
}

export const NO_RESTART: RestartPolicy = { Name: "no", MaximumRetryCount: 0 };

export function parseRestartPolicy(text: string | undefined): RestartPolicy {
  if (text === undefined || text === "") return NO_RESTART;
  const parts = text.split(":");
  if (parts.length > 2) throw new UsageError("invalid restart policy format");
  let count = 0;
  if (parts.length === 2) {
    if (!/^[+-]?\d+$/.test(parts[1]!)) throw new UsageError("maximum retry count must be an integer");
    count = Number(parts[1]);
  }
  const name = parts[0]!;
  switch (name) {
    case "no": case "always": case "unless-stopped":
      if (count !== 0) throw new UsageError(`maximum retry count cannot be used with restart policy '${name}'`);
      return { Name: name, MaximumRetryCount: 0 };
    case "on-failure":
      if (count < 0) throw new UsageError("maximum retry count cannot be negative");
      return { Name: name, MaximumRetryCount: count };
    default:
      throw new UsageError(`invalid restart policy '${name}'`);
  }
}

/** What the monitor knows when the container has ended. */
export interface Ended {
  exitCode: number;
  /** Restarts so far. */
  restartCount: number;
  /** `stop` (or restart, rm -f) asked for it to end: no policy starts it again. */
  stopped: boolean;
  /** `kill` ended it: unless-stopped does not start it again (Docker's HasBeenManuallyStopped). */
  killed: boolean;
}

/** Docker's restart manager: always, unless-stopped unless stopped by hand, on-failure for a non-zero status, up to N times. */
export function shouldRestart(policy: RestartPolicy, end: Ended): boolean {
  if (end.stopped) return false;
  switch (policy.Name) {
    case "always": return true;
    case "unless-stopped": return !end.killed;
    case "on-failure": return end.exitCode !== 0 && (policy.MaximumRetryCount === 0 || end.restartCount < policy.MaximumRetryCount);
    default: return false;
  }
}

/** The wait before the next start: 100 ms, doubled each time, at most a minute; back to 100 ms after a run of 10 s or more. */
export function nextDelay(previousMs: number, ranMs: number): number {
  if (ranMs >= 10_000 || previousMs === 0) return 100;
  return Math.min(previousMs * 2, 60_000);
}
