// --ipc container:NAME and --pid container:NAME: the other container found in the store, running,
// and (for IPC) made --ipc shareable, as Docker 20.10 (default IPC mode private) requires; its
// namespace is then joined by the path /proc/<its pid>/ns/<type>. Docker's daemon wording.
import type { ContainerStore, ContainerRecord, RecordConfig } from "../../state/containers.ts";
import { isRunning } from "../../runtime/lifecycle.ts";
import { parseIpcMode, parsePidMode, type NamespaceChoice } from "../../config/namespace-modes.ts";
import { UsageError } from "../../config/errors.ts";
import type { RunFlags } from "../../config/from-flags.ts";

export function namespacesFromFlags(ipcText: string | undefined, pidText: string | undefined, store: () => ContainerStore): { namespaces: NonNullable<RunFlags["namespaces"]>; config: RecordConfig } {
  const ipc = parseIpcMode(ipcText), pid = parsePidMode(pidText);
  const config: RecordConfig = {
    ...(ipc !== "private" || ipcText === "private" ? { ipcMode: ipcText! } : {}),
    ...(pid !== "private" ? { pidMode: pidText! } : {}),
  };
  let ipcNs: NamespaceChoice["ipc"] = ipc === "host" ? "host" : "new";
  if (typeof ipc === "object") {
    const donor = find(store(), ipc.container, `can't join IPC of container ${ipc.container}`);
    if (donor.ipcMode !== "shareable" && donor.ipcMode !== "host") {
      throw new UsageError(`can't join IPC of container ${ipc.container}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
    // A donor on the host's IPC namespace is the host's: join that one the same way
    ipcNs = { path: `/proc/${donor.pid}/ns/ipc` };
  }
  let pidNs: NamespaceChoice["pid"] = pid === "host" ? "host" : "new";
  if (typeof pid === "object") pidNs = { path: `/proc/${find(store(), pid.container, "cannot join PID of a non running container").pid}/ns/pid` };
  const ipcShm = ipc === "none" ? "none" : ipc === "host" ? "host" : "own";
  return { namespaces: { ipc: ipcNs, pid: pidNs, ipcShm }, config };
}

function find(store: ContainerStore, ref: string, context: string): ContainerRecord {
  let rec: ContainerRecord;
  try {
    rec = store.resolve(ref);
  } catch (e) {
    throw new UsageError(`${context}: ${(e as Error).message}`);
  }
  if (!isRunning(rec)) throw new UsageError(`${context}: container ${rec.id} is not running`);
  return rec;
}
