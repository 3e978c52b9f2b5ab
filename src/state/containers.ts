// Docker's container records under <run>/<id>/state.json (the record store both front ends share,
// record-store.ts), and unique names claimed atomically as links <run>/names/<name> -> <id>, so two
// concurrent runs can never get the same name.
import { mkdirSync, symlinkSync, readlinkSync, lstatSync, readFileSync, readdirSync, rmSync, existsSync } from "../sys/files.ts";
import { SysError } from "../sys/errno.ts";
import { withFileLock, tryHoldShared, tryHoldExclusive, holdWhileRemoving } from "./files.ts";
import { RecordStore } from "./record-store.ts";
import { UsageError } from "../config/errors.ts";
import type { RestartPolicy } from "../config/restart-policy.ts";
import type { CoreRecord } from "./record.ts";

/** A container, image or name that does not exist (Docker answers 1 for these in most commands). */
export class NotFound extends UsageError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Docker's record: the core's (id, bundle, pid, cgroup) and what Docker's verbs keep besides. */
export interface ContainerRecord extends CoreRecord {
  name: string;
  image: string;
  command: string[];
  /** What was last recorded; read it through statusOf() (runtime/lifecycle.ts), which checks the facts. */
  status: "created" | "running" | "exited";
  /** Made by `bunbox create`: Created until `bunbox start`, not a start that was interrupted. */
  manualStart?: boolean;
  exitCode?: number;
  startedAt?: string;
  /** Why the program `bunbox start` released from `bunbox create` could not run (its exec failed). */
  startError?: string;
  finishedAt?: string;
  oomKilled?: boolean;
  /** Removed when it ends (--rm). */
  autoRemove?: boolean;
  /** `bunbox restart` is stopping it to start it again: kept at its end even with --rm (as Docker). */
  restarting?: boolean;
  /** The bunbox process waiting for it (the CLI of an attached run, or a -d monitor) and its start time. */
  watcherPid?: number;
  watcherStart?: number;
  /** Docker json-file log of a detached container. */
  logPath?: string;
  /** Its --log-opt options with bunbox's defaults merged in (Docker's HostConfig.LogConfig.Config). */
  logConfig?: Record<string, string>;
  /** --label/--label-file (inspect's Config.Labels, ps -f label=). */
  labels?: Record<string, string>;
  /** --stop-signal as given (SIGUSR1, USR1, 10): what `stop` and `restart` send first. */
  stopSignal?: string;
  /** --stop-timeout: seconds `stop` waits before SIGKILL when -t is not given (negative: no limit). */
  stopTimeout?: number;
  /** --ipc and --pid as given (inspect's HostConfig.IpcMode, PidMode), when given. */
  ipcMode?: string;
  pidMode?: string;
  /** --restart (config/restart-policy.ts), carried out by the monitor of a detached container. */
  restartPolicy?: RestartPolicy;
  /** Restarts by the policy since the last start by hand (inspect's RestartCount). */
  restartCount?: number;
  /** Ended and waiting for the policy's next start (ps: Restarting). */
  restartPending?: boolean;
  /** `stop` (or restart, rm -f) asked it to end: the policy does not start it again. */
  stopRequested?: boolean;
  /** `kill` ended it: unless-stopped does not start it again. */
  killedByUser?: boolean;
  /** The volumes it mounts (-v NAME:/x, -v /x, --mount type=volume): "in use" for volume rm, removed with rm -v if anonymous. */
  volumes?: RecordVolume[];
}

export interface RecordVolume {
  name: string;
  destination: string;
  readonly?: boolean;
  anonymous?: boolean;
}

/** The part of a record that `run`/`create` flags decide (kept as given, for inspect). */
export type RecordConfig = Pick<ContainerRecord, "labels" | "stopSignal" | "stopTimeout" | "ipcMode" | "pidMode" | "volumes" | "restartPolicy">;

/** Docker's ids: 64 hex characters (shown as 12). */
export function isContainerId(id: string): boolean {
  return /^[0-9a-f]{64}$/.test(id);
}

/** Docker's records in the one record store (record-store.ts), and the names that point at them. */
export class ContainerStore extends RecordStore<ContainerRecord> {
  /** `root`: the run directory. `containersDir`: where bundles are; a record's bundle is always derived from its id there, never read from the record. */
  constructor(root: string, readonly containersDir: string) {
    super(root, {
      isId: isContainerId,
      dirMode: 0o700,
      // What bunbox removes and mounts comes from the id, whatever the file says
      normalise: (rec, id) => {
        const bundle = `${containersDir}/${id}`;
        return { ...rec, bundle, ...(rec.logPath !== undefined ? { logPath: `${bundle}/${id}-json.log` } : {}) };
      },
    });
  }

  private get namesDir(): string {
    return `${this.root}/names`;
  }

  /**
   * Reserves `name` for `id`; throws if another container has it. The record's directory is made
   * first, so that a reservation whose directory is missing is known to be stale (a create that
   * failed or was killed): it is no clash, and is taken over.
   */
  claimName(name: string, id: string): void {
    mkdirSync(this.namesDir, { recursive: true, mode: 0o700 });
    const made = this.makeDir(id);
    try {
      for (let attempt = 0; !this.linkName(name, id); attempt++) {
        if (attempt < 3 && this.dropStaleName(name)) continue;
        const owner = this.nameOwner(name);
        throw new UsageError(`the container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    } catch (e) {
      if (made) this.removeDir(id);
      throw e;
    }
  }

  /**
   * The name as a symbolic link to the id: symlink(2) fails if the name exists (as O_EXCL does)
   * and writes the id whole in one call, so a reservation never holds half an id, even on a full
   * disk. One file-system operation where a temp file, a hard link and an unlink were three
   * (~0.3 ms each on the ext4 of the lab machines, on the path to every container's start). False if taken.
   */
  private linkName(name: string, id: string): boolean {
    const path = `${this.namesDir}/${name}`;
    try {
      symlinkSync(id, path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      if (e instanceof SysError) throw new SysError(e.syscall, e.errno, path);
      throw e;
    }
  }

  /** Removes the name's reservation if its container does not exist; under a lock, re-read, so a fresh claim is never removed. */
  private dropStaleName(name: string): boolean {
    return withFileLock(`${this.namesDir}/.lock`, () => {
      const owner = this.nameOwner(name);
      if (owner === "?") return true; // gone meanwhile: try again
      if (isContainerId(owner) && existsSync(this.dir(owner))) return false;
      rmSync(`${this.namesDir}/${name}`, { force: true });
      return true;
    });
  }

  nameTaken(name: string): boolean {
    // The link's target is an id, not a path: only the link itself is looked at
    try { lstatSync(`${this.namesDir}/${name}`); return true; } catch { return false; }
  }

  /** The id a name is reserved for: a link's target, or a file's content (how earlier versions kept names), "?" if none. */
  private nameOwner(name: string): string {
    const path = `${this.namesDir}/${name}`;
    try { return readlinkSync(path); } catch { /* a file, or gone */ }
    try { return readFileSync(path, "utf8"); } catch { return "?"; }
  }

  /** Removes every name whose owner is not in `ids` (left by a killed create or rm: gc); returns their paths. */
  dropNamesExcept(ids: Set<string>): string[] {
    let names: string[] = [];
    try { names = readdirSync(this.namesDir); } catch { /* none yet */ }
    // .lock and a claim's temp file are not names
    const stale = names.filter((n) => !n.startsWith(".") && !ids.has(this.nameOwner(n)));
    for (const n of stale) rmSync(`${this.namesDir}/${n}`, { force: true });
    return stale.map((n) => `${this.namesDir}/${n}`);
  }

  /** A container by full id, unique id prefix, or name (Docker's rules); throws if none or ambiguous. */
  resolve(ref: string): ContainerRecord {
    const all = this.list();
    const byName = all.find((r) => r.name === ref || `/${r.name}` === ref);
    if (byName) return byName;
    const hits = /^[0-9a-f]+$/.test(ref) ? all.filter((r) => r.id.startsWith(ref)) : [];
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new UsageError(`multiple containers match "${ref}": use more of the id`);
    throw new NotFound(`No such container: ${ref}`);
  }

  rename(rec: ContainerRecord, newName: string): ContainerRecord {
    this.claimName(newName, rec.id);
    const updated = { ...rec, name: newName };
    this.save(updated);
    this.releaseName(rec);
    return updated;
  }

  /**
   * Taken by `bunbox wait` before it looks at the container and released once it has read the
   * exit status; removal waits for it (whenUnwaited), so an --rm container, which goes as soon as
   * it ends, still has its status read, as `docker wait` gets it. Undefined if it is gone or going.
   */
  holdForWaiter(id: string): (() => void) | undefined {
    const release = tryHoldShared(this.dir(id));
    if (release && !this.load(id)) {
      release();
      return undefined;
    }
    return release;
  }

  /**
   * Runs fn with the current record, which removes the container, if `wanted` says so of it and
   * no `bunbox wait` holds it right now (tried once, without waiting). False if it did not run.
   */
  removeIfUnwaited(id: string, wanted: (rec: ContainerRecord) => boolean, fn: (rec: ContainerRecord) => void): boolean {
    return tryHoldExclusive(this.dir(id), () => {
      const current = this.load(id);
      if (!current || !wanted(current)) return false;
      fn(current);
      return true;
    }) ?? false;
  }

  /** Runs fn, which removes the container, once no `bunbox wait` holds it (or timeoutMs passed). */
  whenUnwaited<T>(id: string, fn: () => T, timeoutMs = 5000): T {
    return holdWhileRemoving(this.dir(id), timeoutMs, fn);
  }

  /** The record's directory, and its name if the name is still this container's. */
  remove(rec: Pick<ContainerRecord, "id" | "name">): void {
    this.removeDir(rec.id);
    this.releaseName(rec);
  }

  private releaseName(rec: Pick<ContainerRecord, "id" | "name">): void {
    if (this.nameOwner(rec.name) === rec.id) rmSync(`${this.namesDir}/${rec.name}`, { force: true });
  }
}
