// The one record store both front ends keep their containers in: a directory per container under
// a root (Docker's <run>/<id>/, runc's <root>/<id>/), its state.json written whole to a temp name
// and renamed, its lock a flock on <dir>/lock. What differs between the front ends is a parameter
// (RecordRules): which names are ids, the mode of a container's directory, and how a loaded record
// is checked. ContainerStore (Docker's names and waiters) and OciStore (runc's words, exec fifo,
// state) extend it with what is theirs.
import { mkdirSync, existsSync, readdirSync, rmSync } from "../sys/files.ts";
import { writeFileAtomic, readJson, withFileLock } from "./files.ts";
import { untrustedReason } from "./trust.ts";
import type { CoreRecord } from "./record.ts";

export interface RecordRules<R extends CoreRecord> {
  /** Whether a name under the root can be a container's id (the rest there is no container: names/, caches). */
  isId(id: string): boolean;
  /** Mode of a container's directory (the root itself is made 0700): Docker's 0700, runc's 0711 as runc makes it. */
  dirMode: number;
  /** The record as bunbox uses it, from what the file says; undefined if it is no record to act on. */
  normalise?(rec: R, id: string): R | undefined;
}

export class RecordStore<R extends CoreRecord> {
  constructor(readonly root: string, private readonly rules: RecordRules<R>) {}

  dir(id: string): string {
    return `${this.root}/${id}`;
  }

  /** Why the root cannot be trusted (trust.ts), or undefined: records name pids to signal and directories to remove. */
  untrustedReason(): string | undefined {
    return untrustedReason(this.root);
  }

  /** Makes the container's directory (and the root, 0700); false if it was there already, which claims use. */
  makeDir(id: string): boolean {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    try {
      mkdirSync(this.dir(id), { mode: this.rules.dirMode });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
  }

  /** A record is there (whatever it says). */
  exists(id: string): boolean {
    return existsSync(`${this.dir(id)}/state.json`);
  }

  /** Written whole (renamed over the old one): readers never see half a record. Indented, so `cat` reads it. */
  save(rec: R): void {
    this.makeDir(rec.id);
    writeFileAtomic(`${this.dir(rec.id)}/state.json`, JSON.stringify(rec, null, 2) + "\n");
  }

  /** The record of `id`, or undefined if it has none, or one that names another id (or the rules refuse it). */
  load(id: string): R | undefined {
    if (!this.rules.isId(id)) return undefined;
    const rec = readJson<R>(`${this.dir(id)}/state.json`);
    if (!rec || rec.id !== id) return undefined;
    return this.rules.normalise ? this.rules.normalise(rec, id) : rec;
  }

  /** The names under the root that are ids, with a record or not (a killed create leaves a bare directory), in directory order. */
  ids(): string[] {
    try { return readdirSync(this.root).filter((d) => this.rules.isId(d)); } catch { return []; /* none yet */ }
  }

  /** Every record, in directory order. */
  list(): R[] {
    return this.ids().flatMap((id) => this.load(id) ?? []);
  }

  /** Runs fn holding the container's lock (flock on <dir>/lock), so changes never interleave. */
  withLock<T>(id: string, fn: () => T): T {
    this.makeDir(id);
    return withFileLock(`${this.dir(id)}/lock`, fn);
  }

  /**
   * Changes some fields of the current record under its lock: others (a rename, a stop) may
   * have changed the rest since the caller read it.
   */
  update(id: string, fields: Partial<R>): R | undefined {
    return this.withLock(id, () => {
      const current = this.load(id);
      if (!current) return undefined;
      const next = { ...current, ...fields };
      this.save(next);
      return next;
    });
  }

  /** The container's directory with all in it (record, lock, fifo). */
  removeDir(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
  }
}
