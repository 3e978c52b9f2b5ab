// Reading a container's status from the host: its pid in /proc, its exec fifo, its freezer.
import { existsSync } from "../../sys/files.ts";
import { isAlive } from "../../state/proc.ts";
import type { CoreRecord } from "../../state/record.ts";
import { cgroupOf } from "../cgroup-of.ts";
import { deriveStatus, type CoreStatus } from "./status.ts";

/** Where the facts come from: the host, or a table in a unit test. */
export interface HostFacts {
  alive(pid: number | undefined, startTime: number | undefined): boolean;
  exists(path: string): boolean;
  frozen(rec: CoreRecord): boolean;
}

export const hostFacts: HostFacts = {
  alive: isAlive,
  exists: existsSync,
  frozen: (rec) => cgroupOf(rec).isFrozen(),
};

/**
 * `endRecorded`: the front end's record says it ended. `execFifo`: where its exec fifo is while
 * its init waits for start.
 */
export function readStatus(rec: CoreRecord, known: { endRecorded: boolean; execFifo: string }, host: HostFacts = hostFacts): CoreStatus {
  return deriveStatus({
    endRecorded: known.endRecorded,
    hasPid: rec.pid !== undefined,
    alive: () => host.alive(rec.pid, rec.startTime),
    execFifo: () => host.exists(known.execFifo),
    frozen: () => host.frozen(rec),
  });
}
