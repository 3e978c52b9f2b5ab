// The real `Sys` (sys.ts): typed wrappers over libc for the kernel calls a container needs. Each
// throws SysError naming the call and path. Built only by main.ts and wiring.ts; everything else
// receives a `Sys`, so tests can pass the recording fake (test/fake-sys.ts).
import { ptr } from "bun:ffi";
import { libc, errno, check } from "./libc.ts";
import * as fsat from "./fsat.ts";
import { openTreeClone, mountSetattr, moveMount } from "./mount-api.ts";
import { sendFd, recvWithFds } from "./unix-socket.ts";
import { openContainerPty } from "./devpts.ts";
import type { Sys } from "./sys.ts";
import { setDeviceFilter } from "./bpf.ts";
import { writeInBackground } from "./aio.ts";
import { SysError } from "./errno.ts";
import { SYS } from "./arch.ts";
import { AF_UNIX, CLOSE_RANGE_CLOEXEC, EXEC_PENDING_COMM, F, IFF_UP, IOCTL, AF_INET, O, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_STREAM } from "./constants.ts";


/** NUL-terminated C string; callers keep the Buffer alive until the call returns. */
function cstr(s: string): Buffer {
  return Buffer.from(s + "\0");
}


function cstrArray(items: string[]): { array: BigUint64Array; keep: Buffer[] } {
  const keep = items.map(cstr);
  const array = new BigUint64Array(items.length + 1);
  keep.forEach((b, i) => (array[i] = BigInt(ptr(b))));
  return { array, keep };
}

let trimRanges: [bigint, bigint][] | undefined;

/** Mappings of `path` that are read-only and hold no private dirty page (nothing to lose if dropped). */
function cleanReadOnlyRanges(path: string): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  let smaps = "";
  try { smaps = fsat.readTextFile("/proc/self/smaps"); } catch { return out; }
  let range: [bigint, bigint] | undefined;
  for (const line of smaps.split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      range = head[4] === path && !head[3]!.includes("w") ? [BigInt("0x" + head[1]), BigInt("0x" + head[2])] : undefined;
      continue;
    }
    const dirty = /^Private_Dirty:\s+(\d+) kB/.exec(line);
    if (dirty && range) {
      if (dirty[1] === "0") out.push(range);
      range = undefined;
    }
  }
  return out;
}

/** Every signal now ignored back to SIG_DFL (glibc's struct sigaction is 152 bytes, the handler first). */
function resetIgnoredSignals(): void {
  const SIG_IGN = 1n, SIGKILL = 9, SIGSTOP = 19;
  const current = new BigUint64Array(19);
  const byDefault = new BigUint64Array(19);
  for (let sig = 1; sig <= 64; sig++) {
    if (sig === SIGKILL || sig === SIGSTOP) continue;
    // glibc refuses the two real-time signals it keeps for itself (EINVAL): nothing to reset there
    if (libc().sigaction(sig, null, current) !== 0) continue;
    if (current[0] === SIG_IGN) libc().sigaction(sig, byDefault, null);
  }
}

const PR_SET_NAME = 15;

function installFilter(program: Uint8Array, flags: number): void {
  const fprog = new BigUint64Array(2);
  fprog[0] = BigInt(program.length / 8);
  fprog[1] = BigInt(ptr(program));
  const SECCOMP_SET_MODE_FILTER = 1;
  check(libc().syscall(SYS.seccomp, SECCOMP_SET_MODE_FILTER, flags, BigInt(ptr(fprog)), 0, 0, 0), "seccomp");
}

export const sys: Sys = {
  unshare(flags: number): void {
    check(libc().unshare(flags), "unshare");
  },
  setns(fd: number, nstype: number, what?: string): void {
    check(libc().setns(fd, nstype), "setns", what);
  },
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    const s = source === null ? null : cstr(source);
    const f = fstype === null ? null : cstr(fstype);
    const d = data === null ? null : cstr(data);
    check(libc().mount(s, cstr(target), f, BigInt(flags), d), "mount", target);
  },
  openTreeClone,
  mountSetattr,
  moveMount,
  umount2(target: string, flags: number): void {
    check(libc().umount2(cstr(target), flags), "umount2", target);
  },
  chroot(path: string): void {
    check(libc().chroot(cstr(path)), "chroot", path);
  },
  pivotRoot(newRoot: string, putOld: string): void {
    const a = cstr(newRoot), b = cstr(putOld);
    check(libc().syscall(SYS.pivot_root, BigInt(ptr(a)), BigInt(ptr(b)), 0, 0, 0, 0), "pivot_root", newRoot);
  },
  chdir(path: string): void {
    check(libc().chdir(cstr(path)), "chdir", path);
  },
  fchdir(fd: number): void {
    check(libc().fchdir(fd), "fchdir");
  },
  getcwd(): string {
    const buf = Buffer.alloc(4097);
    if (libc().getcwd(buf, 4096n) === null) throw new SysError("getcwd", errno());
    return buf.subarray(0, buf.indexOf(0)).toString();
  },
  sethostname(name: string): void {
    const b = Buffer.from(name);
    check(libc().sethostname(b, BigInt(b.length)), "sethostname", name);
  },
  setdomainname(name: string): void {
    const b = Buffer.from(name);
    check(libc().setdomainname(b, BigInt(b.length)), "setdomainname", name);
  },
  mknod(path: string, mode: number, major: number, minor: number): void {
    check(libc().mknod(cstr(path), mode, fsat.makedev(major, minor)), "mknod", path);
  },
  /**
   * Replaces the process image; only returns by throwing. Signals ignored here stay ignored across
   * execve (handled ones are reset by the kernel): Bun ignores SIGPIPE and SIGXFSZ, and whoever
   * started bunbox may have ignored more. The program gets them at their default, as in a Docker
   * container, or `yes | head` would never end (yes spins on EPIPE).
   */
  execve(path: string, argv: string[], env: string[]): never {
    const p = cstr(path);
    const a = cstrArray(argv), e = cstrArray(env);
    resetIgnoredSignals();
    libc().execve(p, a.array, e.array);
    const n = errno();
    void a.keep, e.keep;
    throw new SysError("execve", n, path);
  },
  prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number {
    return check(libc().prctl(option, BigInt(arg2), BigInt(arg3), BigInt(arg4), BigInt(arg5)), "prctl");
  },
  /** Sets effective/permitted/inheritable (64-bit masks) of the calling thread. */
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
    const header = new Uint32Array([0x20080522, 0]);
    const data = new Uint32Array(6);
    const lo = (m: bigint) => Number(m & 0xffffffffn), hi = (m: bigint) => Number(m >> 32n);
    data.set([lo(effective), lo(permitted), lo(inheritable), hi(effective), hi(permitted), hi(inheritable)]);
    check(libc().capset(header, data), "capset");
  },
  /** The calling thread's {effective, permitted, inheritable} masks. */
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    const header = new Uint32Array([0x20080522, 0]);
    const d = new Uint32Array(6);
    check(libc().capget(header, d), "capget");
    const join = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo);
    return { effective: join(d[0]!, d[3]!), permitted: join(d[1]!, d[4]!), inheritable: join(d[2]!, d[5]!) };
  },
  setresuid(uid: number): void {
    check(libc().setresuid(uid, uid, uid), "setresuid", String(uid));
  },
  setresgid(gid: number): void {
    check(libc().setresgid(gid, gid, gid), "setresgid", String(gid));
  },
  setgroups(gids: number[]): void {
    const list = new Uint32Array(gids.length || 1);
    list.set(gids);
    check(libc().setgroups(BigInt(gids.length), list), "setgroups");
  },
  setrlimit(resource: number, soft: bigint, hard: bigint, name?: string): void {
    const lim = new BigUint64Array([soft, hard]);
    check(libc().prlimit64(0, resource, lim, null), "setrlimit", name);
  },
  umask(mask: number): number {
    return libc().umask(mask);
  },
  setsid(): number {
    return check(libc().setsid(), "setsid");
  },
  setControllingTerminal(fd: number): void {
    check(libc().ioctl(fd, BigInt(IOCTL.TIOCSCTTY), null), "ioctl(TIOCSCTTY)");
  },
  setCloexec(fd: number): void {
    check(libc().fcntl(fd, F.SETFD, BigInt(F.FD_CLOEXEC)), "fcntl(FD_CLOEXEC)");
  },
  /** Marks every fd >= first close-on-exec, so execve drops them but Bun's own fds keep working until then. */
  cloexecFrom(first: number): void {
    check(libc().syscall(SYS.close_range, first, 0xffffffff, CLOSE_RANGE_CLOEXEC, 0, 0, 0), "close_range");
  },
  open(path: string, flags: number, mode = 0): number {
    return check(libc().open(cstr(path), flags, mode), "open", path);
  },
  openat: fsat.openat,
  openat2: fsat.openat2,
  mkdirat: fsat.mkdirat,
  mkdirs: fsat.mkdirs,
  mknodat: fsat.mknodat,
  symlinkat: fsat.symlinkat,
  readlinkat: fsat.readlinkat,
  fchownat: (dirfd, path, uid, gid) => fsat.fchownat(dirfd, path, uid, gid),
  fchown: fsat.fchown,
  fstat: fsat.fstat,
  stat: fsat.stat,
  lstat: fsat.lstat,
  access: fsat.access,
  readTextFile: fsat.readTextFile,
  readSome: fsat.readSome,
  writeAll: fsat.writeAll,
  writeInBackground,
  sendFd,
  recvWithFds,
  openContainerPty,
  dup2(fd: number, target: number): void {
    check(libc().dup2(fd, target), "dup2");
  },
  close(fd: number): void {
    libc().close(fd);
  },
  /** A close-on-exec pipe: [read end, write end]; `nonblockWrite`: writes never block (O_NONBLOCK on the write end only). */
  pipe(nonblockWrite = false): [number, number] {
    const fds = new Int32Array(2);
    check(libc().pipe2(fds, O.CLOEXEC), "pipe2");
    if (nonblockWrite) check(libc().fcntl(fds[1]!, F.SETFL, BigInt(O.WRONLY | O.NONBLOCK)), "fcntl(O_NONBLOCK)");
    return [fds[0]!, fds[1]!];
  },
  /** An inotify fd (close-on-exec, blocking reads) watching `path` for IN_MODIFY; its watch ends (IN_IGNORED) when the file goes. */
  watchModify(path: string): number {
    const fd = check(libc().inotify_init1(O.CLOEXEC), "inotify_init1");
    if (libc().inotify_add_watch(fd, cstr(path), 0x2 /* IN_MODIFY */) < 0) {
      const e = errno();
      libc().close(fd);
      throw new SysError("inotify_add_watch", e, path);
    }
    return fd;
  },
  /** A connected pair of close-on-exec unix stream sockets. */
  socketpair(): [number, number] {
    const fds = new Int32Array(2);
    check(libc().socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), "socketpair");
    return [fds[0]!, fds[1]!];
  },
  /** Brings a network interface up with SIOCSIFFLAGS on an AF_INET datagram socket. */
  interfaceUp(name: string): void {
    const fd = check(libc().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
    try {
      const ifr = Buffer.alloc(40);
      ifr.write(name, 0, 15);
      check(libc().ioctl(fd, BigInt(IOCTL.SIOCGIFFLAGS), ifr), "ioctl(SIOCGIFFLAGS)", name);
      ifr.writeInt16LE(ifr.readInt16LE(16) | IFF_UP, 16);
      check(libc().ioctl(fd, BigInt(IOCTL.SIOCSIFFLAGS), ifr), "ioctl(SIOCSIFFLAGS)", name);
    } finally {
      libc().close(fd);
    }
  },
  /**
   * Drops this process's mappings of the bunbox executable's clean, read-only pages (text and
   * read-only data): they stay in the page cache, shared with every other bunbox, and fault back
   * in if they are needed again. An idle monitor then keeps a few MB resident instead of ~30.
   * MADV_DONTNEED rather than MADV_PAGEOUT: PAGEOUT skips pages another process maps too, so it
   * did nothing while other bunbox processes ran. Only mappings without private dirty pages
   * (never written, so nothing to lose) are touched. Best effort.
   */
  pageOutSelf(): void {
    const MADV_DONTNEED = 4, MADV_PAGEOUT = 21;
    // Found once: parsing /proc/self/smaps is itself enough work to fault megabytes of code back
    trimRanges ??= cleanReadOnlyRanges(process.execPath);
    for (const [start, end] of trimRanges) {
      // PAGEOUT reclaims what only we map; DONTNEED then unmaps what others share
      libc().madvise(start, end - start, MADV_PAGEOUT);
      libc().madvise(start, end - start, MADV_DONTNEED);
    }
  },
  /** A new pseudo-terminal pair, both ends close-on-exec (the child gets the slave as 0-2 by dup). */
  openpty(rows?: number, cols?: number): { master: number; slave: number } {
    const fds = new Int32Array(2);
    const ws = rows && cols ? new Uint16Array([rows, cols, 0, 0]) : null;
    check(libc().openpty(fds, fds.subarray(1), null, null, ws), "openpty");
    for (const fd of fds) libc().fcntl(fd, F.SETFD, BigInt(F.FD_CLOEXEC));
    return { master: fds[0]!, slave: fds[1]! };
  },
  /**
   * Reaps exited children other than `keep` (which Bun waits for itself): peeks with WNOWAIT,
   * so the status of `keep` is never taken from Bun.
   */
  reapOrphans(keep: number): void {
    const P_ALL = 0, WEXITED = 4, WNOHANG = 1, WNOWAIT = 0x01000000;
    const info = new Int32Array(32);
    for (let i = 0; i < 1000; i++) {
      info.fill(0);
      if (libc().waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) !== 0) return;
      const pid = info[4]!; // siginfo_t.si_pid (offset 16)
      if (pid === 0 || pid === keep) return;
      libc().waitpid(pid, null, WNOHANG);
    }
  },
  /** A close-on-exec duplicate of fd (F_DUPFD_CLOEXEC). */
  dupCloexec(fd: number): number {
    return check(libc().fcntl(fd, 1030, 3n), "fcntl(F_DUPFD_CLOEXEC)");
  },
  isatty(fd: number): boolean {
    return libc().isatty(fd) === 1;
  },
  getWindowSize(fd: number): { rows: number; cols: number } | undefined {
    const ws = new Uint16Array(4);
    if (libc().ioctl(fd, BigInt(IOCTL.TIOCGWINSZ), ws) < 0) return undefined;
    return { rows: ws[0]!, cols: ws[1]! };
  },
  setWindowSize(fd: number, size: { rows: number; cols: number }): void {
    libc().ioctl(fd, BigInt(IOCTL.TIOCSWINSZ), new Uint16Array([size.rows, size.cols, 0, 0]));
  },
  /** Puts a terminal in raw mode; returns the settings to give back to restoreTerminal. */
  makeRaw(fd: number): Uint8Array {
    const saved = new Uint8Array(64);
    check(libc().tcgetattr(fd, saved), "tcgetattr");
    const raw = saved.slice();
    libc().cfmakeraw(raw);
    check(libc().tcsetattr(fd, 0 /* TCSANOW */, raw), "tcsetattr");
    return saved;
  },
  restoreTerminal(fd: number, saved: Uint8Array): void {
    libc().tcsetattr(fd, 0, saved);
  },
  kill(pid: number, signal: number): void {
    check(libc().kill(pid, signal), "kill", String(pid));
  },
  /** f_type of the filesystem behind fd (to verify that /proc really is procfs). */
  fstatfsType(fd: number): number {
    const buf = new BigInt64Array(15);
    check(libc().fstatfs(fd, buf), "fstatfs");
    return Number(buf[0]);
  },
  pidfdOpen(pid: number): number {
    return check(libc().syscall(SYS.pidfd_open, pid, 0, 0, 0, 0, 0), "pidfd_open", String(pid));
  },
  /**
   * keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a new anonymous session keyring for this process and
   * what it starts, instead of the one inherited from whoever ran bunbox. Returns its serial.
   */
  joinSessionKeyring(): number {
    const KEYCTL_JOIN_SESSION_KEYRING = 1;
    return check(libc().syscall(SYS.keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0, 0), "keyctl(KEYCTL_JOIN_SESSION_KEYRING)");
  },
  /** cgroup v2: load the device filter (struct bpf_insn[]) and attach it to the cgroup directory. */
  setDeviceFilter(dir: string, program: Uint8Array): void {
    setDeviceFilter(dir, program);
  },
  /** Installs a classic BPF seccomp filter (already compiled, 8 bytes per instruction). */
  seccompInstall(program: Uint8Array, flags = 0): void {
    installFilter(program, flags);
  },
  /**
   * The container's seccomp filter, then execve: the two calls back to back, the strings and the
   * signal reset made first, so nothing of bunbox's own runs under a filter that need allow only
   * the execve (issue 17). Only returns by throwing: the failed seccomp or execve.
   */
  seccompExecve(program: Uint8Array, flags: number, path: string, argv: string[], env: string[]): never {
    const p = cstr(path);
    const a = cstrArray(argv), e = cstrArray(env);
    resetIgnoredSignals();
    // execve renames the task: a reader that sees this name on a dead task knows it never ran
    const name = cstr(EXEC_PENDING_COMM);
    check(libc().prctl(PR_SET_NAME, BigInt(ptr(name)), 0n, 0n, 0n), "prctl(PR_SET_NAME)");
    installFilter(program, flags);
    libc().execve(p, a.array, e.array);
    const n = errno();
    void a.keep, e.keep;
    throw new SysError("execve", n, path);
  },
};
