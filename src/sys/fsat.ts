// fd-relative filesystem calls (the *at family) over libc, for code that must never follow a
// path out of a directory it was given: image extraction above all (security.md, "Image
// tarballs are hostile input"). Every wrapper throws SysError on failure; every fd is O_CLOEXEC.
//
// The libc handle (libc.ts, shared with kernel.ts) is opened lazily on first use: importing this
// module has no side effects.
import { ptr } from "bun:ffi";
import { libc as sharedLibc, errno } from "./libc.ts";
import { SysError } from "./errno.ts";
import { decodeName, encodeName } from "./bytes-name.ts";
import { SYS } from "./arch.ts";
import { AT, O, S } from "./constants.ts";

export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** utimensat's "leave this time alone" marker, for tv_nsec. */
export const UTIME_OMIT = (1 << 30) - 2;

// One libc handle for all of src/sys (libc.ts): each dlopen costs ~1 ms of start-up, and the init
// stage uses both modules before it can take its plan.
const libc = sharedLibc;

function fail(syscall: string, path?: string): never {
  throw new SysError(syscall, errno(), path);
}

/**
 * A NUL-terminated copy of s for a `ptr` argument: UTF-8 for a string (with the raw bytes of a
 * name that is not UTF-8 given back, bytes-name.ts), the bytes themselves for a name read from
 * the kernel (getdents64), which need not be UTF-8 at all.
 */
export function cstr(s: string | Uint8Array): Buffer {
  if (typeof s === "string") return encodeName(s + "\0");
  const b = Buffer.alloc(s.length + 1);
  b.set(s);
  return b;
}

/** A path or name for messages. */
const shown = (p: string | Uint8Array): string => (typeof p === "string" ? p : decodeName(p));

export function openat(dirfd: number, path: string | Uint8Array, flags: number, mode = 0): number {
  const fd = libc().openat(dirfd, cstr(path), flags | O.CLOEXEC, mode);
  if (fd < 0) fail("openat", shown(path));
  return fd;
}

/**
 * openat2(2): open path below dirfd under `resolve` rules (RESOLVE_IN_ROOT treats dirfd as "/",
 * so absolute symlinks and ".." stay inside it). Needs Linux 5.6.
 */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const c = libc();
  const p = cstr(path);
  const how = new BigUint64Array([BigInt(flags | O.CLOEXEC), BigInt(mode), BigInt(resolve)]);
  const fd = c.syscall(SYS.openat2, dirfd, ptr(p), ptr(how), 24, 0, 0);
  if (fd < 0) fail("openat2", path);
  return Number(fd);
}

export function mkdirat(dirfd: number, path: string, mode: number): void {
  if (libc().mkdirat(dirfd, cstr(path), mode) < 0) fail("mkdirat", path);
}

/** glibc's makedev: the 64-bit dev_t encoding the kernel's new_encode_dev agrees with. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** mode includes the S_IF* type bits (S_IFCHR, S_IFBLK, S_IFIFO). */
export function mknodat(dirfd: number, path: string, mode: number, major = 0, minor = 0): void {
  if (libc().mknodat(dirfd, cstr(path), mode, makedev(major, minor)) < 0) fail("mknodat", path);
}

export function symlinkat(target: string, dirfd: number, path: string): void {
  if (libc().symlinkat(cstr(target), dirfd, cstr(path)) < 0) fail("symlinkat", path);
}

/** flags 0: link the named entry itself (a symlink stays a symlink), never what it points to. */
export function linkat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags = 0): void {
  if (libc().linkat(olddirfd, cstr(oldpath), newdirfd, cstr(newpath), flags) < 0) {
    fail("linkat", `${newpath} => ${oldpath}`);
  }
}

export function fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number = AT.SYMLINK_NOFOLLOW): void {
  if (libc().fchownat(dirfd, cstr(path), uid, gid, flags) < 0) fail("fchownat", path);
}

export function fchown(fd: number, uid: number, gid: number): void {
  if (libc().fchown(fd, uid, gid) < 0) fail("fchown");
}

/** Follows a final symlink (Linux cannot chmod a symlink): call it on non-symlinks only. */
export function fchmodat(dirfd: number, path: string, mode: number): void {
  if (libc().fchmodat(dirfd, cstr(path), mode, 0) < 0) fail("fchmodat", path);
}

export function fchmod(fd: number, mode: number): void {
  if (libc().fchmod(fd, mode) < 0) fail("fchmod");
}

/** Seconds and nanoseconds; a missing atime leaves the access time alone. */
export interface Timespec { sec: number; nsec: number }

// Reused for every call (calls are synchronous); written as 32-bit halves because BigInt
// conversion showed up in extraction profiles. Linux on x86_64 and aarch64 is little-endian.
const tsWords = new Int32Array(8);

function setI64(i: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  tsWords[i] = v - hi * 4294967296;
  tsWords[i + 1] = hi;
}

function timespecs(atime: Timespec | undefined, mtime: Timespec): Int32Array {
  setI64(0, atime?.sec ?? 0);
  setI64(2, atime ? atime.nsec : UTIME_OMIT);
  setI64(4, mtime.sec);
  setI64(6, mtime.nsec);
  return tsWords;
}

export function utimensat(dirfd: number, path: string, mtime: Timespec, atime?: Timespec, flags: number = AT.SYMLINK_NOFOLLOW): void {
  if (libc().utimensat(dirfd, cstr(path), timespecs(atime, mtime), flags) < 0) fail("utimensat", path);
}

export function futimens(fd: number, mtime: Timespec, atime?: Timespec): void {
  if (libc().futimens(fd, timespecs(atime, mtime)) < 0) fail("futimens");
}

/**
 * Set an xattr without following a final symlink. O_PATH fds cannot take fsetxattr, so name
 * the entry as /proc/self/fd/<dirfd>/<name>: the magic link pins the parent directory we
 * resolved, and lsetxattr does not follow the last component (symlinks take only trusted.*
 * and security.* xattrs; the kernel refuses user.* on them with EPERM).
 */
export function lsetxattrAt(dirfd: number, name: string, key: string, value: Uint8Array): void {
  const path = `/proc/self/fd/${dirfd}/${name}`;
  const v = value.length ? value : new Uint8Array(1);
  if (libc().lsetxattr(cstr(path), cstr(key), v, value.length, 0) < 0) fail("lsetxattr", `${name} (${key})`);
}

export function fsetxattr(fd: number, key: string, value: Uint8Array): void {
  const v = value.length ? value : new Uint8Array(1);
  if (libc().fsetxattr(fd, cstr(key), v, value.length, 0) < 0) fail("fsetxattr", key);
}

/** All xattrs of path (not following a final symlink), for tests and verification. */
export function lgetxattrs(path: string): Record<string, Uint8Array> {
  const c = libc();
  const p = cstr(path);
  const out: Record<string, Uint8Array> = {};
  const list = new Uint8Array(65536);
  const n = c.llistxattr(p, list, list.length);
  if (n < 0) fail("llistxattr", path);
  for (const key of Buffer.from(list.subarray(0, n)).toString("utf8").split("\0")) {
    if (!key) continue;
    const val = new Uint8Array(65536);
    const m = c.lgetxattr(p, cstr(key), val, val.length);
    if (m < 0) fail("lgetxattr", `${path} (${key})`);
    out[key] = val.slice(0, m);
  }
  return out;
}

export function readlinkat(dirfd: number, path: string): string {
  const buf = new Uint8Array(8192);
  const n = libc().readlinkat(dirfd, cstr(path), buf, buf.length);
  if (n < 0) fail("readlinkat", path);
  return decodeName(buf.subarray(0, n));
}

export function renameat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string): void {
  if (libc().renameat(olddirfd, cstr(oldpath), newdirfd, cstr(newpath)) < 0) fail("renameat", `${oldpath} -> ${newpath}`);
}

export function unlinkat(dirfd: number, path: string | Uint8Array, flags = 0): void {
  if (libc().unlinkat(dirfd, cstr(path), flags) < 0) fail("unlinkat", shown(path));
}

export function close(fd: number): void {
  if (libc().close(fd) < 0) fail("close");
}

/** Write all of data (looping over short writes). */
export function writeAll(fd: number, data: Uint8Array): void {
  const c = libc();
  let off = 0;
  while (off < data.length) {
    const chunk = off === 0 ? data : data.subarray(off);
    const n = c.write(fd, chunk, chunk.length);
    if (n < 0) {
      if (errno() === 4) continue; // EINTR
      fail("write");
    }
    off += Number(n);
  }
}

/** One write(2), retried on EINTR: how much of data went out. */
export function writeSome(fd: number, data: Uint8Array): number {
  if (data.length === 0) return 0;
  for (;;) {
    const n = libc().write(fd, data, data.length);
    if (n >= 0) return Number(n);
    if (errno() !== 4) fail("write");
  }
}

/** read(2) into buf from offset off; the count read (0 at end of file), retrying EINTR. */
export function readSome(fd: number, buf: Uint8Array, off = 0): number {
  const c = libc();
  for (;;) {
    const n = c.read(fd, off === 0 ? buf : buf.subarray(off), buf.length - off);
    if (n >= 0) return Number(n);
    if (errno() !== 4) fail("read");
  }
}

/** What is left to read on fd, as UTF-8; undefined when it is more than `max` bytes. */
export function readFdText(fd: number, max = Infinity): string | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const buf = new Uint8Array(Math.min(65536, Number.isFinite(max) ? max + 1 : 65536));
    const n = readSome(fd, buf);
    if (n === 0) break;
    parts.push(buf.subarray(0, n));
    if ((total += n) > max) return undefined;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** A whole (small) file as UTF-8, e.g. under /proc. */
export function readTextFile(path: string): string {
  const fd = openat(AT.FDCWD, path, O.RDONLY);
  try {
    return readFdText(fd)!;
  } finally {
    close(fd);
  }
}

/** The statx(2) fields bunbox looks at. */
export interface Stat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  mtimeNs: bigint;
  ino: bigint;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}

const STATX_BASIC_STATS = 0x7ff;

function statxAt(dirfd: number, path: string, flags: number, what: string): Stat {
  // struct statx has one layout on every architecture: mode is a u16 at 28, uid/gid u32 at 20/24,
  // rdev major/minor u32 at 128/132
  const buf = new Uint8Array(256);
  if (libc().statx(dirfd, cstr(path), flags, STATX_BASIC_STATS, buf) < 0) fail(what, path || undefined);
  const v = new DataView(buf.buffer);
  const mode = v.getUint16(28, true);
  const type = mode & S.IFMT;
  return {
    mode, uid: v.getUint32(20, true), gid: v.getUint32(24, true),
    // stx_ino u64 at 32, stx_size u64 at 40; stx_mtime: i64 seconds at 112, u32 nanoseconds at
    // 120; stx_dev major/minor u32 at 136/140
    size: Number(v.getBigUint64(40, true)), mtimeMs: Number(v.getBigInt64(112, true)) * 1000 + v.getUint32(120, true) / 1e6,
    mtimeNs: v.getBigInt64(112, true) * 1_000_000_000n + BigInt(v.getUint32(120, true)),
    ino: v.getBigUint64(32, true), devMajor: v.getUint32(136, true), devMinor: v.getUint32(140, true),
    rdevMajor: v.getUint32(128, true), rdevMinor: v.getUint32(132, true),
    isFile: () => type === S.IFREG,
    isDirectory: () => type === S.IFDIR,
    isCharacterDevice: () => type === S.IFCHR,
    isBlockDevice: () => type === S.IFBLK,
    isSymbolicLink: () => type === S.IFLNK,
  };
}

const STATX_ATTR_MOUNT_ROOT = 0x2000;

/**
 * Whether `path` is the root of a mount (statx's STATX_ATTR_MOUNT_ROOT, Linux 5.8): false where
 * it is not, cannot be looked at, or the kernel does not say.
 */
export function isMountRoot(path: string): boolean {
  const buf = new Uint8Array(256);
  if (libc().statx(AT.FDCWD, cstr(path), 0, STATX_BASIC_STATS, buf) < 0) return false;
  const v = new DataView(buf.buffer);
  // stx_attributes (u64 at 8) means something only where stx_attributes_mask (u64 at 56) says so
  const known = v.getBigUint64(56, true), attributes = v.getBigUint64(8, true);
  return (known & BigInt(STATX_ATTR_MOUNT_ROOT)) !== 0n && (attributes & BigInt(STATX_ATTR_MOUNT_ROOT)) !== 0n;
}

/** stat(2): follows symlinks. */
export function stat(path: string): Stat {
  return statxAt(AT.FDCWD, path, 0, "stat");
}

/** lstat(2): the link itself. */
export function lstat(path: string): Stat {
  return statxAt(AT.FDCWD, path, AT.SYMLINK_NOFOLLOW, "lstat");
}

/** fstat(2). */
export function fstat(fd: number): Stat {
  return statxAt(fd, "", AT.EMPTY_PATH, "fstat");
}


/** access(2) with the real ids: does path allow `mode` (X_OK …)? */
export function access(path: string, mode: number): boolean {
  return libc().faccessat(AT.FDCWD, cstr(path), mode, 0) === 0;
}

/**
 * mkdir -p: every missing directory of path, with mode (existing ones are fine). The whole path
 * is tried first and the parents only when it says ENOENT: most calls find all but the last
 * there, and walking down from / cost a mkdir and a stat per ancestor (~60 calls a `run`).
 */
export function mkdirs(path: string, mode = 0o777): void {
  const at = path.length > 1 ? path.replace(/\/+$/, "") : path;
  if (mkdirOnce(at, mode) !== 2 /* ENOENT */) return;
  const cut = at.lastIndexOf("/");
  if (cut > 0) mkdirs(at.slice(0, cut), mode);
  else if (cut < 0) throw new SysError("mkdir", 2, at);
  if (mkdirOnce(at, mode) === 2) throw new SysError("mkdir", 2, at);
}

/** 0 when `path` is a directory now (made, or there already), ENOENT for a missing parent; throws otherwise. */
function mkdirOnce(path: string, mode: number): number {
  if (libc().mkdirat(AT.FDCWD, cstr(path), mode) === 0) return 0;
  const e = errno();
  if (e === 2) return e;
  if (e === 17 /* EEXIST */) {
    if (stat(path).isDirectory()) return 0;
    throw new SysError("mkdir", 20 /* ENOTDIR, as node says for a file in the way */, path);
  }
  throw new SysError("mkdir", e, path);
}

/** The names in directory fd (without . and ..), in the order getdents64(2) gives them. */
export function readdirFd(fd: number): string[] {
  return readdirTypes(fd).map((e) => e.name);
}

export const DT_DIR = 4;

let direntBuffer: Uint8Array | undefined;

/** Names with their d_type (DT_DIR …; 0 where the filesystem does not say) and raw bytes. */
export function readdirTypes(fd: number): { name: string; raw: Uint8Array; type: number }[] {
  const c = libc();
  const nr = SYS.getdents64;
  // One buffer for every listing: a fresh zeroed one was 8 new pages (page faults) a call
  const buf = (direntBuffer ??= new Uint8Array(32768));
  const view = new DataView(buf.buffer);
  const entries: { name: string; raw: Uint8Array; type: number }[] = [];
  const decoder = new TextDecoder();
  for (;;) {
    const n = Number(c.syscall(nr, fd, ptr(buf), buf.length, 0, 0, 0));
    if (n < 0) fail("getdents64");
    if (n === 0) return entries;
    // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, then the NUL-terminated name
    for (let at = 0; at < n;) {
      const reclen = view.getUint16(at + 16, true);
      const end = buf.indexOf(0, at + 19);
      const raw = buf.slice(at + 19, end);
      const name = decoder.decode(raw);
      if (name !== "." && name !== "..") entries.push({ name, raw, type: buf[at + 18]! });
      at += reclen;
    }
  }
}

/** pread(2): up to length bytes at position into buf[offset…]; 0 at the end of the file. */
export function pread(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number {
  if (length <= 0) return 0;
  for (;;) {
    const n = Number(libc().syscall(SYS.pread64, fd, ptr(buf.subarray(offset)), length, position, 0, 0));
    if (n >= 0) return n;
    if (errno() !== 4) fail("pread");
  }
}

export function fsync(fd: number): void {
  if (libc().fsync(fd) < 0) fail("fsync");
}

/** flock(2); blocks the calling thread unless LOCK_NB is given. */
export function flock(fd: number, op: number): void {
  for (;;) {
    if (libc().flock(fd, op) === 0) return;
    if (errno() !== 4) fail("flock");
  }
}

/** flock(2) without waiting: false when another open file holds a conflicting lock. */
export function tryFlock(fd: number, op: number): boolean {
  for (;;) {
    if (libc().flock(fd, op | LOCK_NB) === 0) return true;
    const e = errno();
    if (e === 11 /* EWOULDBLOCK */) return false;
    if (e !== 4) fail("flock");
  }
}
