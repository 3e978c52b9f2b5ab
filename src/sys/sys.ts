// The one boundary between bunbox and the kernel: every call a stage (parent, init, exec,
// monitor) or an applier makes goes through a `Sys` it was given. kernel.ts is the real libc
// implementation, built only in main.ts/wiring.ts; test/fake-sys.ts records calls and answers
// from a scripted table, so a plan can be applied without root (youki's Syscall trait and its
// TestHelperSyscall are the model). Every method throws SysError {syscall, errno, path} on failure.
import type { Stat } from "./fsat.ts";

export type { Stat };

export interface Sys {
  // --- namespaces and mounts (by path) ---
  unshare(flags: number): void;
  /** `what` names the namespace file in errors. */
  setns(fd: number, nstype: number, what?: string): void;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  chroot(path: string): void;
  pivotRoot(newRoot: string, putOld: string): void;

  // --- the mount API (Linux 5.2/5.12): a mount made and configured detached, attached onto an fd ---
  /** A detached copy of the mount at fd (the whole tree below it with `recursive`), as a new fd. */
  openTreeClone(fd: number, recursive: boolean, what?: string): number;
  /** MOUNT_ATTR_* set (after clearing `clear`) and a propagation type, on the mount at fd. */
  mountSetattr(fd: number, set: number, clear: number, propagation: number, recursive: boolean, what?: string, usernsFd?: number): void;
  /** Attaches the detached mount `from` onto the object `to` was opened on. */
  moveMount(from: number, to: number, what?: string): void;

  // --- files, fd-relative (every fd O_CLOEXEC) ---
  open(path: string, flags: number, mode?: number): number;
  openat(dirfd: number, path: string, flags: number, mode?: number): number;
  /** openat2(2) under `resolve` (RESOLVE_*): RESOLVE_IN_ROOT treats dirfd as "/". */
  openat2(dirfd: number, path: string, flags: number, resolve: number, mode?: number): number;
  mkdirat(dirfd: number, path: string, mode: number): void;
  /** mkdir -p. */
  mkdirs(path: string, mode?: number): void;
  /** mode includes the S_IF* type bits. */
  mknodat(dirfd: number, path: string, mode: number, major?: number, minor?: number): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  symlinkat(target: string, dirfd: number, path: string): void;
  readlinkat(dirfd: number, path: string): string;
  /** Does not follow a final symlink. */
  fchownat(dirfd: number, path: string, uid: number, gid: number): void;
  fchown(fd: number, uid: number, gid: number): void;
  fstat(fd: number): Stat;
  stat(path: string): Stat;
  lstat(path: string): Stat;
  /** access(2) with the real ids. */
  access(path: string, mode: number): boolean;
  /** f_type of the filesystem behind fd (PROC_SUPER_MAGIC …). */
  fstatfsType(fd: number): number;
  readTextFile(path: string): string;
  /** read(2) into buf from `off`: the count (0 at end of file), EINTR retried. */
  readSome(fd: number, buf: Uint8Array, off?: number): number;
  writeAll(fd: number, data: Uint8Array): void;
  /**
   * `data` written to the file at `path` on a thread of glibc's (aio_write): returns at once, for
   * a write the kernel may hold for a while (a first move into a cgroup). `wait` returns once it
   * is done, throwing what it failed with.
   */
  writeInBackground(path: string, data: string): { wait(): void };
  close(fd: number): void;
  dup2(fd: number, target: number): void;
  dupCloexec(fd: number): number;
  setCloexec(fd: number): void;
  /** Every fd >= first close-on-exec. */
  cloexecFrom(first: number): void;
  /** A close-on-exec pipe [read, write]; `nonblockWrite`: O_NONBLOCK on the write end. */
  pipe(nonblockWrite?: boolean): [number, number];
  /** An inotify fd watching `path` for IN_MODIFY. */
  watchModify(path: string): number;

  // --- sockets ---
  socketpair(): [number, number];
  /** One sendmsg of `data` with one fd attached (SCM_RIGHTS). */
  sendFd(sock: number, data: Buffer, fd: number): void;
  /** One recvmsg: the bytes (empty at EOF) and the fds that came with them. */
  recvWithFds(sock: number, max?: number): { data: Buffer; fds: number[] };
  /** SIOCSIFFLAGS IFF_UP on a network interface of the current network namespace. */
  interfaceUp(name: string): void;

  // --- terminals ---
  openpty(rows?: number, cols?: number): { master: number; slave: number };
  /** A pty pair of the devpts instance at `ptsDir` (the container's), verified before it is opened. */
  openContainerPty(ptsDir?: string): { master: number; slave: number };
  setsid(): number;
  setControllingTerminal(fd: number): void;
  isatty(fd: number): boolean;
  getWindowSize(fd: number): { rows: number; cols: number } | undefined;
  setWindowSize(fd: number, size: { rows: number; cols: number }): void;
  makeRaw(fd: number): Uint8Array;
  restoreTerminal(fd: number, saved: Uint8Array): void;

  // --- the process ---
  chdir(path: string): void;
  fchdir(fd: number): void;
  getcwd(): string;
  sethostname(name: string): void;
  setdomainname(name: string): void;
  /** Replaces the process image; only returns by throwing. */
  execve(path: string, argv: string[], env: string[]): never;
  prctl(option: number, arg2?: number, arg3?: number, arg4?: number, arg5?: number): number;
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void;
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint };
  setresuid(uid: number): void;
  setresgid(gid: number): void;
  setgroups(gids: number[]): void;
  setrlimit(resource: number, soft: bigint, hard: bigint, name?: string): void;
  umask(mask: number): number;
  joinSessionKeyring(): number;
  seccompInstall(program: Uint8Array, flags?: number): void;
  /**
   * The filter, then execve, back to back: nothing of bunbox's own runs under the container's
   * filter. Names the task EXEC_PENDING_COMM first. Only returns by throwing.
   */
  seccompExecve(program: Uint8Array, flags: number, path: string, argv: string[], env: string[]): never;
  kill(pid: number, signal: number): void;
  pidfdOpen(pid: number): number;
  reapOrphans(keep: number): void;
  pageOutSelf(): void;

  // --- cgroups ---
  /** cgroup v2: load the device filter program and attach it to the cgroup directory. */
  setDeviceFilter(dir: string, program: Uint8Array): void;
}
