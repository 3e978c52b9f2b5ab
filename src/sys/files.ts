// The node:fs calls bunbox's CLI makes, with node:fs's names and shapes, over libc (fsat.ts).
// Why not node:fs itself: loading it costs ~3 ms in a fresh compiled Bun process (node:os ~1.3),
// measured, and `run` paid that while the init stage started beside it on the same 2 CPUs (each
// ms the CLI burns there delays the container's start by ~0.7 ms, measured). Errors are SysErrors,
// which carry node's .code ("ENOENT"...), .syscall and .path. Every fd is O_CLOEXEC, as node's.
import * as fs from "./fsat.ts";
import { SysError } from "./errno.ts";
import { removeTree } from "./remove-tree.ts";
import { AT, O } from "./constants.ts";

type Data = string | Uint8Array;
const encoder = new TextEncoder();
const toBytes = (d: Data): Uint8Array => (typeof d === "string" ? encoder.encode(d) : d);

export interface Stats {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  /** The device a device node stands for, as a dev_t (glibc's makedev). */
  rdev: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

/** statSync(path, { bigint: true }): what node gives as bigints, for a file's identity. */
export interface BigIntStats {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

/** rdev as the dev_t number node reports (glibc's makedev encoding). */
function stats(st: fs.Stat): Stats {
  return { ...st, rdev: Number(fs.makedev(st.rdevMajor, st.rdevMinor)) };
}

/** A path, or an open fd (0: stdin) read to its end and left open, as node does. */
let readBuffer: Uint8Array | undefined;

export function readFileSync(path: string | number): Buffer;
export function readFileSync(path: string | number, encoding: "utf8" | "utf-8"): string;
export function readFileSync(path: string | number, encoding?: "utf8" | "utf-8"): string | Buffer {
  const fd = typeof path === "number" ? path : fs.openat(AT.FDCWD, path, O.RDONLY);
  try {
    // Read to the end (/proc and /sys files report a size of 0) through one scratch buffer,
    // copying out what was read: fresh 64 KiB buffers left for the GC were new pages each time
    const scratch = (readBuffer ??= new Uint8Array(65536));
    const parts: Buffer[] = [];
    for (;;) {
      const n = fs.readSome(fd, scratch);
      if (n === 0) break;
      parts.push(Buffer.from(scratch.subarray(0, n)));
    }
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return encoding ? all.toString("utf8") : all;
  } finally {
    if (typeof path !== "number") fs.close(fd);
  }
}

/** Creates or truncates; mode (default 0666, less the umask) applies to a new file, as in node. */
export function writeFileSync(path: string, data: Data, opts?: { mode?: number } | "utf8"): void {
  const mode = typeof opts === "object" && opts.mode !== undefined ? opts.mode : 0o666;
  const fd = fs.openat(AT.FDCWD, path, O.WRONLY | O.CREAT | O.TRUNC, mode);
  try {
    writeNamed(fd, toBytes(data), path);
  } finally {
    fs.close(fd);
  }
}

/** All of data written to an open fd, a failure named after `path` (the file it was opened as). */
export function writeAllTo(fd: number, data: Data, path: string): void {
  writeNamed(fd, toBytes(data), path);
}

/** write(2) to an fd knows no path: a full disk said `write: ENOSPC` and named no file (issue 15). */
function writeNamed(fd: number, data: Uint8Array, path: string): void {
  try {
    fs.writeAll(fd, data);
  } catch (e) {
    if (e instanceof SysError && !e.path) throw new SysError(e.syscall, e.errno, path);
    throw e;
  }
}

export const isMountRoot = fs.isMountRoot;

export function existsSync(path: string): boolean {
  try {
    fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

export function readdirSync(path: string): string[] {
  const fd = fs.openat(AT.FDCWD, path, O.RDONLY | O.DIRECTORY);
  try {
    return fs.readdirFd(fd);
  } finally {
    fs.close(fd);
  }
}

export function mkdirSync(path: string, opts?: { recursive?: boolean; mode?: number }): void {
  const mode = opts?.mode ?? 0o777;
  if (opts?.recursive) return fs.mkdirs(path, mode);
  fs.mkdirat(AT.FDCWD, path, mode);
}

const FLAGS: Record<string, number> = {
  r: O.RDONLY,
  "r+": O.RDWR,
  w: O.WRONLY | O.CREAT | O.TRUNC,
  wx: O.WRONLY | O.CREAT | O.TRUNC | O.EXCL,
  a: O.WRONLY | O.CREAT | O.APPEND,
};

/** flags: node's "r", "r+", "w", "wx", "a", or open(2) flags. */
export function openSync(path: string, flags: string | number, mode = 0o666): number {
  const f = typeof flags === "number" ? flags : FLAGS[flags];
  if (f === undefined) throw new Error(`openSync: flags "${flags}" not supported here`);
  return fs.openat(AT.FDCWD, path, f, mode);
}

export function closeSync(fd: number): void {
  fs.close(fd);
}

/** One write(2) of data from offset on, as node's: it may write less, and says how much. */
export function writeSync(fd: number, data: Data, offset = 0): number {
  return fs.writeSome(fd, toBytes(data).subarray(offset));
}

export function appendFileSync(path: string, data: Data): void {
  const fd = fs.openat(AT.FDCWD, path, FLAGS.a!, 0o666);
  try {
    writeNamed(fd, toBytes(data), path);
  } finally {
    fs.close(fd);
  }
}

export function readSync(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number {
  if (position === null) return fs.readSome(fd, buf.subarray(0, offset + length), offset);
  return fs.pread(fd, buf, offset, length, position);
}

export function renameSync(from: string, to: string): void {
  fs.renameat(AT.FDCWD, from, AT.FDCWD, to);
}

/** A hard link; fails with EEXIST if `to` exists (an atomic claim of a name, as O_EXCL is). */
export function linkSync(from: string, to: string): void {
  fs.linkat(AT.FDCWD, from, AT.FDCWD, to);
}

/** A symbolic link to `target`; fails with EEXIST if `path` exists (one atomic write of a short value, as a name's claim). */
export function symlinkSync(target: string, path: string): void {
  fs.symlinkat(target, AT.FDCWD, path);
}

export function rmdirSync(path: string): void {
  fs.unlinkat(AT.FDCWD, path, AT.REMOVEDIR);
}

/**
 * A file, or with recursive a directory and everything in it (removeTree: by fd, any depth, any
 * name). force: a path that is not there is fine; what fails inside the tree still throws.
 */
export function rmSync(path: string, opts?: { recursive?: boolean; force?: boolean }): void {
  let st: fs.Stat;
  try {
    st = fs.lstat(path);
  } catch (e) {
    if (opts?.force && e instanceof SysError && e.code === "ENOENT") return;
    throw e;
  }
  if (!st.isDirectory()) return fs.unlinkat(AT.FDCWD, path, 0);
  if (!opts?.recursive) throw new SysError("rm", 21 /* EISDIR */, path);
  removeTree(path);
}

export function statSync(path: string): Stats;
export function statSync(path: string, opts: { bigint: true }): BigIntStats;
export function statSync(path: string, opts?: { bigint: true }): Stats | BigIntStats {
  const st = fs.stat(path);
  if (!opts?.bigint) return stats(st);
  return { dev: fs.makedev(st.devMajor, st.devMinor), ino: st.ino, size: BigInt(st.size), mtimeNs: st.mtimeNs };
}

export function lstatSync(path: string): Stats {
  return stats(fs.lstat(path));
}

export function fstatSync(fd: number): Stats {
  return stats(fs.fstat(fd));
}

export function readlinkSync(path: string): string {
  return fs.readlinkat(AT.FDCWD, path);
}

export function chmodSync(path: string, mode: number): void {
  fs.fchmodat(AT.FDCWD, path, mode);
}

/** Follows a symlink, as chown(2). */
export function chownSync(path: string, uid: number, gid: number): void {
  fs.fchownat(AT.FDCWD, path, uid, gid, 0);
}

/**
 * One read(2) on a thread of Bun's pool, for fds Bun's own streams cannot read (they pread, and an
 * inotify fd has no offset). node:fs is loaded only here, only when it is used: its first load
 * costs ~3 ms in a fresh process.
 */
export async function readAsync(fd: number, buf: Uint8Array): Promise<number> {
  const { read } = await import("node:fs");
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, null, (e, n) => (e ? reject(e) : resolve(n))));
}
