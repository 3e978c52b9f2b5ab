// Atomic state files: written to a temp name, then renamed, so readers never see half a file.
// No fsync: runtime state describes live processes and means nothing after a crash or reboot
// (it lives on tmpfs by default); an fsync here cost up to 60 ms per container start on ext4.
import { writeFileSync, renameSync, readFileSync, openSync, closeSync } from "../sys/files.ts";
import { flock, tryFlock, LOCK_EX, LOCK_SH } from "../sys/fsat.ts";

/** Root's alone by default (0600): state and config.json name pids, paths and secrets in env. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Runs fn holding an exclusive flock on `path` (created if missing): changes never interleave. */
export function withFileLock<T>(path: string, fn: () => T): T {
  const fd = openSync(path, "a", 0o600);
  try {
    flock(fd, LOCK_EX);
    return fn();
  } finally {
    closeSync(fd);
  }
}

/**
 * A shared flock on a directory, taken without waiting: the release function, or undefined if
 * the directory is gone or someone holds it exclusively. Readers that must see what is in the
 * directory before it is deleted hold it (see holdWhileRemoving).
 */
export function tryHoldShared(dir: string): (() => void) | undefined {
  let fd: number;
  try { fd = openSync(dir, "r"); } catch { return undefined; }
  if (tryFlock(fd, LOCK_SH)) return () => closeSync(fd);
  closeSync(fd);
  return undefined;
}

/** Runs fn holding an exclusive flock on `dir` if no one holds it now (no waiting); undefined if someone does or it is gone. */
export function tryHoldExclusive<T>(dir: string, fn: () => T): T | undefined {
  let fd: number;
  try { fd = openSync(dir, "r"); } catch { return undefined; }
  try {
    return tryFlock(fd, LOCK_EX) ? fn() : undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs fn (which deletes `dir`) once no shared holder is left, or after timeoutMs: a holder is
 * another process that may be stopped, and must not keep the deletion waiting for ever. The
 * exclusive lock is kept while fn runs, so nobody takes a new hold meanwhile.
 */
export function holdWhileRemoving<T>(dir: string, timeoutMs: number, fn: () => T): T {
  let fd: number | undefined;
  try { fd = openSync(dir, "r"); } catch { /* already gone: nobody can hold it */ }
  try {
    if (fd !== undefined) {
      const deadline = Date.now() + timeoutMs;
      while (!tryFlock(fd, LOCK_EX) && Date.now() < deadline) Bun.sleepSync(5);
    }
    return fn();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
