// Atomic state files: written to a temp name, then renamed, so readers never see half a file.
// No fsync: runtime state describes live processes and means nothing after a crash or reboot
// (it lives on tmpfs by default); an fsync here cost up to 60 ms per container start on ext4.
import { writeFileSync, renameSync, readFileSync, openSync, closeSync } from "node:fs";
import { flock, LOCK_EX } from "../sys/fsat.ts";

export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o644 });
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
