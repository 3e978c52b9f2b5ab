// The image store's small mutable state: one index file (names -> digest, source identity ->
// digest) read with validation, written atomically (temp file, fsync, rename, fsync dir) and
// changed only under an exclusive flock, so concurrent imports never lose each other's updates.
import { existsSync, readFileSync } from "../sys/files.ts";
import { ImageError } from "./errors.ts";
import * as fs from "../sys/fsat.ts";
import { AT, O } from "../sys/constants.ts";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface StoreIndex {
  version: 1;
  /** Image names (tags) to digests. */
  names: Record<string, string>;
  /** Source identities ("file:dev:ino:size:mtime", "bytes:<sha256>") to the digest they gave. */
  sources: Record<string, string>;
}

export function emptyIndex(): StoreIndex {
  return { version: 1, names: Object.create(null), sources: Object.create(null) };
}

export function readIndex(path: string): StoreIndex {
  if (!existsSync(path)) return emptyIndex();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ImageError(`image index ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const problem = indexProblem(raw);
  if (problem) throw new ImageError(`image index ${path} is corrupt at ${problem}`);
  // Without a prototype: an image called "constructor" or "toString" is looked up, not inherited
  const ix = raw as StoreIndex;
  return { version: 1, names: Object.assign(Object.create(null), ix.names), sources: Object.assign(Object.create(null), ix.sources) };
}

/**
 * What is wrong with a parsed index, as "<where>: <what>", or undefined. Checked by hand: every
 * `run` of a stored image reads the index, and loading a schema library for three fields cost
 * more than the rest of the lookup.
 */
export function indexProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "(root): expected an object";
  const ix = raw as Record<string, unknown>;
  if (ix.version !== 1) return `version: expected 1, got ${JSON.stringify(ix.version)}`;
  for (const field of ["names", "sources"] as const) {
    const map = ix[field];
    if (typeof map !== "object" || map === null || Array.isArray(map)) return `${field}: expected an object`;
    for (const [key, digest] of Object.entries(map)) {
      if (typeof digest !== "string" || !DIGEST.test(digest)) return `${field}.${key}: expected a sha256:<64 hex> digest, got ${JSON.stringify(digest)}`;
    }
  }
  return undefined;
}

/** Replace `path` with `data` atomically and durably. */
export function writeAtomic(path: string, data: string): void {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : ".";
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = fs.openat(AT.FDCWD, tmp, O.WRONLY | O.CREAT | O.EXCL, 0o644);
  try {
    fs.writeAll(fd, new TextEncoder().encode(data));
    fs.fsync(fd);
  } catch (e) {
    fs.close(fd);
    fs.unlinkat(AT.FDCWD, tmp);
    throw e;
  }
  fs.close(fd);
  fs.renameat(AT.FDCWD, tmp, AT.FDCWD, path);
  const dfd = fs.openat(AT.FDCWD, dir, O.RDONLY | O.DIRECTORY);
  try {
    fs.fsync(dfd);
  } finally {
    fs.close(dfd);
  }
}

export function writeIndex(path: string, index: StoreIndex): void {
  writeAtomic(path, JSON.stringify(index, null, 2) + "\n");
}

/** Run fn holding an exclusive flock on lockPath (created if missing). */
export function withLock<T>(lockPath: string, fn: () => T): T {
  const fd = fs.openat(AT.FDCWD, lockPath, O.RDWR | O.CREAT, 0o600);
  try {
    fs.flock(fd, fs.LOCK_EX);
    return fn();
  } finally {
    fs.close(fd); // closing the last fd of the open file releases the lock
  }
}

/** Read-modify-write the index under the lock. */
export function updateIndex<T>(lockPath: string, indexPath: string, fn: (ix: StoreIndex) => T): T {
  return withLock(lockPath, () => {
    const ix = readIndex(indexPath);
    const out = fn(ix);
    writeIndex(indexPath, ix);
    return out;
  });
}
