// Reading a container's status from the host: its pid in /proc, its exec fifo, its freezer.
import { existsSync } from "../../sys/files.ts";
import { isAlive } from "../../state/proc.ts";
import type { CoreRecord } from "../../state/record.ts";
import { cgroupOf } from "../cgroup-of.ts";
import { deriveStatus, type CoreStatus } from "./status.ts";

/**
 * `endRecorded`: the front end's record says it ended. `execFifo`: where its exec fifo would be
 * (a front end whose create does not leave the init waiting gives none).
 */
export function readStatus(rec: CoreRecord, known: { endRecorded: boolean; execFifo?: string }): CoreStatus {
  return deriveStatus({
    endRecorded: known.endRecorded,
    hasPid: rec.pid !== undefined,
    alive: () => isAlive(rec.pid, rec.startTime),
    execFifo: () => known.execFifo !== undefined && existsSync(known.execFifo),
    frozen: () => cgroupOf(rec).isFrozen(),
  });
}
