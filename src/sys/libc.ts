// The libc symbols bunbox calls. Opened lazily so that importing src/sys has no side effects and
// commands that need no kernel calls (help, explain) never pay for dlopen.
import { dlopen, read, FFIType as T, type Pointer } from "bun:ffi";
import { SysError } from "./errno.ts";

const SYMBOLS = {
  __errno_location: { args: [], returns: T.ptr },
  unshare: { args: [T.i32], returns: T.i32 },
  setns: { args: [T.i32, T.i32], returns: T.i32 },
  mount: { args: [T.ptr, T.ptr, T.ptr, T.u64, T.ptr], returns: T.i32 },
  umount2: { args: [T.ptr, T.i32], returns: T.i32 },
  chdir: { args: [T.ptr], returns: T.i32 },
  fchdir: { args: [T.i32], returns: T.i32 },
  chroot: { args: [T.ptr], returns: T.i32 },
  getcwd: { args: [T.ptr, T.u64], returns: T.ptr },
  sethostname: { args: [T.ptr, T.u64], returns: T.i32 },
  setdomainname: { args: [T.ptr, T.u64], returns: T.i32 },
  mknod: { args: [T.ptr, T.u32, T.u64], returns: T.i32 },
  execve: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  sigaction: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  prctl: { args: [T.i32, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
  capset: { args: [T.ptr, T.ptr], returns: T.i32 },
  capget: { args: [T.ptr, T.ptr], returns: T.i32 },
  setresuid: { args: [T.u32, T.u32, T.u32], returns: T.i32 },
  setresgid: { args: [T.u32, T.u32, T.u32], returns: T.i32 },
  setgroups: { args: [T.u64, T.ptr], returns: T.i32 },
  prlimit64: { args: [T.i32, T.i32, T.ptr, T.ptr], returns: T.i32 },
  umask: { args: [T.u32], returns: T.u32 },
  setsid: { args: [], returns: T.i32 },
  ioctl: { args: [T.i32, T.u64, T.ptr], returns: T.i32 },
  fcntl: { args: [T.i32, T.i32, T.i64], returns: T.i32 },
  pipe2: { args: [T.ptr, T.i32], returns: T.i32 },
  inotify_init1: { args: [T.i32], returns: T.i32 },
  inotify_add_watch: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  socketpair: { args: [T.i32, T.i32, T.i32, T.ptr], returns: T.i32 },
  open: { args: [T.ptr, T.i32, T.u32], returns: T.i32 },
  openat: { args: [T.i32, T.ptr, T.i32, T.u32], returns: T.i32 },
  close: { args: [T.i32], returns: T.i32 },
  dup2: { args: [T.i32, T.i32], returns: T.i32 },
  madvise: { args: [T.u64, T.u64, T.i32], returns: T.i32 },
  openpty: { args: [T.ptr, T.ptr, T.ptr, T.ptr, T.ptr], returns: T.i32 },
  isatty: { args: [T.i32], returns: T.i32 },
  waitid: { args: [T.i32, T.i32, T.ptr, T.i32], returns: T.i32 },
  waitpid: { args: [T.i32, T.ptr, T.i32], returns: T.i32 },
  tcgetattr: { args: [T.i32, T.ptr], returns: T.i32 },
  tcsetattr: { args: [T.i32, T.i32, T.ptr], returns: T.i32 },
  cfmakeraw: { args: [T.ptr], returns: T.void },
  read: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  write: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  kill: { args: [T.i32, T.i32], returns: T.i32 },
  fstatfs: { args: [T.i32, T.ptr], returns: T.i32 },
  getpid: { args: [], returns: T.i32 },
  clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 },
  connect: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  sendmsg: { args: [T.i32, T.ptr, T.i32], returns: T.i64_fast },
  recvmsg: { args: [T.i32, T.ptr, T.i32], returns: T.i64_fast },
  send: { args: [T.i32, T.ptr, T.u64, T.i32], returns: T.i64_fast },
  poll: { args: [T.ptr, T.u64, T.i32], returns: T.i32 },
  mkfifo: { args: [T.ptr, T.u32], returns: T.i32 },
  fchown: { args: [T.i32, T.u32, T.u32], returns: T.i32 },
  syscall: { args: [T.i64, T.i64, T.i64, T.i64, T.i64, T.i64, T.i64], returns: T.i64_fast },
  mkdirat: { args: [T.i32, T.ptr, T.u32], returns: T.i32 },
  mknodat: { args: [T.i32, T.ptr, T.u32, T.u64], returns: T.i32 },
  symlinkat: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
  linkat: { args: [T.i32, T.ptr, T.i32, T.ptr, T.i32], returns: T.i32 },
  fchownat: { args: [T.i32, T.ptr, T.u32, T.u32, T.i32], returns: T.i32 },
  fchmodat: { args: [T.i32, T.ptr, T.u32, T.i32], returns: T.i32 },
  fchmod: { args: [T.i32, T.u32], returns: T.i32 },
  utimensat: { args: [T.i32, T.ptr, T.ptr, T.i32], returns: T.i32 },
  futimens: { args: [T.i32, T.ptr], returns: T.i32 },
  lsetxattr: { args: [T.ptr, T.ptr, T.ptr, T.u64, T.i32], returns: T.i32 },
  fsetxattr: { args: [T.i32, T.ptr, T.ptr, T.u64, T.i32], returns: T.i32 },
  lgetxattr: { args: [T.ptr, T.ptr, T.ptr, T.u64], returns: T.i64_fast },
  llistxattr: { args: [T.ptr, T.ptr, T.u64], returns: T.i64_fast },
  readlinkat: { args: [T.i32, T.ptr, T.ptr, T.u64], returns: T.i64_fast },
  renameat: { args: [T.i32, T.ptr, T.i32, T.ptr], returns: T.i32 },
  unlinkat: { args: [T.i32, T.ptr, T.i32], returns: T.i32 },
  statx: { args: [T.i32, T.ptr, T.i32, T.u32, T.ptr], returns: T.i32 },
  faccessat: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
  fsync: { args: [T.i32], returns: T.i32 },
  flock: { args: [T.i32, T.i32], returns: T.i32 },
  aio_write: { args: [T.ptr], returns: T.i32 },
  aio_error: { args: [T.ptr], returns: T.i32 },
  aio_return: { args: [T.ptr], returns: T.i64_fast },
  aio_suspend: { args: [T.ptr, T.i32, T.ptr], returns: T.i32 },
} as const;

type Lib = ReturnType<typeof dlopen<typeof SYMBOLS>>;
let lib: Lib | undefined;

export function libc(): Lib["symbols"] {
  lib ??= dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

let errnoPtr: Pointer | undefined;

/** errno of the last failed call on this thread (read right after it: nothing in between clobbers it). */
export function errno(): number {
  errnoPtr ??= libc().__errno_location() as Pointer;
  return read.i32(errnoPtr, 0);
}

/** A libc return value: negative means failure, thrown as SysError with errno, naming the call and path. */
export function check(rc: number | bigint, call: string, path?: string): number {
  const n = Number(rc);
  if (n < 0) throw new SysError(call, errno(), path);
  return n;
}
