// OCI runtime state: one directory per container under the runtime root (--root), holding
// state.json and the exec fifo, in the record store both front ends share. The status is the
// core's, from facts (runtime/core/status.ts).
import type { CoreRecord } from "../../state/record.ts";
import { readStatus } from "../core/facts.ts";
import type { CoreStatus } from "../core/status.ts";
import { allow, type Verb } from "../core/transitions.ts";
import { runcRefusal } from "../core/words-runc.ts";
import type { HostRoot } from "./host-root.ts";
import { RecordStore } from "../../state/record-store.ts";
import { RuntimeError } from "../errors.ts";
import { isOciId } from "./id.ts";

/** runc's status names are the core's. */
export type OciStatus = CoreStatus;

/** runc's record: the core's (id, bundle, pid, cgroup) and what `runc state` reports besides. */
export interface OciRecord extends CoreRecord {
  rootfs: string;
  annotations: Record<string, string>;
  ociVersion: string;
  cgroupDirs: string[];
  /** The spec's cgroupsPath. */
  cgroupsPath?: string;
  /** No mount namespace: the root's binds in the host's, removed at delete (host-root.ts). */
  hostRoot?: HostRoot;
}

/** The JSON `runc state` prints (runtime-spec "State", plus runc's `created` and `owner`). */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: OciStatus;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}


export function checkId(id: string | undefined): string {
  if (!id) throw new RuntimeError("container id cannot be empty", 1);
  if (!isOciId(id)) throw new RuntimeError(`invalid container id format: ${id}`, 1);
  return id;
}

/** runc's records in the record store both front ends share (state/record-store.ts), with runc's words and its exec fifo. */
export class OciStore extends RecordStore<OciRecord> {
  constructor(root: string) {
    super(root, { isId: isOciId, dirMode: 0o711 });
  }

  execFifo(id: string): string {
    return `${this.dir(id)}/exec.fifo`;
  }

  /** Makes the container's directory; throws runc's words if the id is taken. */
  claim(id: string): void {
    // The records name pids to signal and bundles to remove: only root may have written them
    const why = this.untrustedReason();
    if (why) throw new RuntimeError(`state directory ${this.root} cannot be trusted: ${why}`, 1);
    if (!this.makeDir(id)) throw new RuntimeError("container with given ID already exists", 1);
  }

  /** The container, or runc's "container does not exist". */
  get(id: string): OciRecord {
    checkId(id);
    const rec = this.load(id);
    if (!rec) throw new RuntimeError("container does not exist", 1);
    return rec;
  }

  /** By id, as `runc list` prints them. */
  override list(): OciRecord[] {
    return super.list().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** runc keeps no record of an end: a pid that is gone is the fact. */
  status(rec: OciRecord): OciStatus {
    return readStatus(rec, { endRecorded: false, execFifo: this.execFifo(rec.id) });
  }

  /** What the transition table answers for a runc verb on this container; a refusal is thrown in runc's words. */
  permit(rec: OciRecord, verb: Verb, status: CoreStatus = this.status(rec)): "ok" | "noop" {
    return allow(status, verb, runcRefusal, rec);
  }

  state(rec: OciRecord): OciState {
    const status = this.status(rec);
    return {
      ociVersion: rec.ociVersion, id: rec.id, pid: status === "stopped" ? 0 : rec.pid ?? 0, status,
      bundle: rec.bundle, rootfs: rec.rootfs, created: rec.created, owner: "",
      ...(Object.keys(rec.annotations).length ? { annotations: rec.annotations } : {}),
    };
  }
}


