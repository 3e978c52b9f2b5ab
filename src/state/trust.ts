// bunbox runs as root and trusts what it finds under its state root: seccomp filters it compiled,
// records naming pids and directories to remove, bundles it mounts. A directory another user
// owns or may write into (an existing --root, or one of its parents) would let that user plant
// all of those: an allow-all filter, a record that removes a root-owned directory. So every
// directory from / down to each state directory must be root's and writable by root alone (a
// sticky, world-writable parent such as /tmp is fine: nobody can replace root's entries there).
import { statSync, lstatSync, mkdirSync, existsSync } from "../sys/files.ts";
import { UsageError } from "../config/errors.ts";
import type { StatePaths } from "./paths.ts";

export class UntrustedStateRoot extends UsageError {}

const STICKY = 0o1000;

/** The reason `dir` cannot be trusted, or undefined. `stat` is injectable for tests. */
export function untrustedReason(dir: string, stat: (p: string) => { uid: number; mode: number; isDirectory(): boolean } = statSync): string | undefined {
  const parts = dir.split("/").filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const p = "/" + parts.slice(0, i).join("/");
    let st;
    try { st = stat(p); } catch { continue; } // not made yet: bunbox makes it, root's and 0700
    if (!st.isDirectory()) return `${p} is not a directory`;
    if (st.uid !== 0) return `${p} is owned by uid ${st.uid}, not root`;
    if ((st.mode & 0o022) !== 0 && !(st.mode & STICKY)) return `${p} is writable by ${st.mode & 0o002 ? "every user" : "its group"} (mode ${(st.mode & 0o7777).toString(8).padStart(4, "0")})`;
  }
  return undefined;
}

/** A file bunbox wrote for itself (a cache): root's, a regular file, writable by root alone. */
export function isTrustedFile(path: string, lstat: (p: string) => { uid: number; mode: number; isFile(): boolean } = lstatSync): boolean {
  try {
    const st = lstat(path);
    return st.isFile() && st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Docker's CLI without access to the daemon's socket: "permission denied", exit 1. */
export class PermissionDenied extends UsageError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** Containers are root's: another user would find no state, or half of it, and act on that. */
export function requireRoot(euid = process.geteuid?.() ?? 0): void {
  if (euid !== 0) throw new PermissionDenied(`permission denied: bunbox's containers belong to root (uid ${euid} cannot read or change their state): run it as root, e.g. with sudo`);
}

/** Refuses a state root others could have planted files in; makes the missing dirs root's, 0700. */
export function trustStateRoot(paths: StatePaths): void {
  for (const dir of [paths.data, paths.run, paths.containers]) {
    const why = untrustedReason(dir);
    // Docker's CLI answers a daemon it cannot reach with "permission denied", exit 1
    if (why?.endsWith("is not a directory")) throw new PermissionDenied(`permission denied: state directory ${dir} cannot be used: ${why} (give --root a directory)`);
    if (why) throw new UntrustedStateRoot(`state directory ${dir} cannot be trusted: ${why}; bunbox keeps its state in directories only root can write (chown root and chmod go-w, or choose another --root)`);
  }
  for (const dir of [paths.data, paths.run, paths.containers]) if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
}
