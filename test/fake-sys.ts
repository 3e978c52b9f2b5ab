// A recording fake of `Sys` (src/sys/sys.ts), after youki's TestHelperSyscall: every call is
// recorded with its arguments and the path it acts on, and answered from a scripted table
// (errno injection per call and path) or else by a small model of a container's root, so that a
// plan's apply runs as an unprivileged unit test and asserts the kernel calls it makes, in order.
//
// fds name what they were opened on: openat2(<fd of /rootfs>, "proc") gives a new fd named
// "/rootfs/proc", and mount(…, "/proc/self/fd/N", …) is recorded with path "/rootfs/proc", so a
// trace reads like strace with the magic links already resolved.
import type { Sys, Stat } from "../src/sys/sys.ts";
import { SysError, errnoNumber } from "../src/sys/errno.ts";
import { AT, S, PROC_SUPER_MAGIC, DEVPTS_SUPER_MAGIC } from "../src/sys/constants.ts";

export type Call = keyof Sys;

export interface Recorded {
  call: Call;
  args: unknown[];
  /** The path the call acts on, /proc/self/fd/N and dirfd-relative names resolved ("" for none). */
  path: string;
}

/** What a scripted call does instead of the default: fail with an errno, return a value, or run a function of the arguments. */
export type Answer = { errno: string | number } | { returns: unknown } | { does: (...args: never[]) => unknown };

interface Rule {
  call: Call;
  /** The recorded path, exactly or by pattern; any path when absent. */
  path?: string | RegExp;
  /** Answers only this many matching calls (then the rule is spent). */
  times?: number;
  answer: Answer;
}

export type FileKind = "dir" | "file" | "chr" | "blk" | "fifo" | "symlink";

interface FakeFile { kind: FileKind; rdev?: [number, number]; mode?: number }

const TYPE_BITS: Record<FileKind, number> = { dir: S.IFDIR, file: S.IFREG, chr: S.IFCHR, blk: S.IFBLK, fifo: S.IFIFO, symlink: S.IFLNK };
const TMPFS_MAGIC = 0x01021994;

/** Thrown by the fake's execve (the real one never returns): the plan got to the end. */
export class FakeExecve extends Error {
  constructor(readonly path: string, readonly argv: string[]) {
    super(`execve ${path}`);
  }
}

export class FakeSys implements Sys {
  readonly calls: Recorded[] = [];
  private rules: Rule[] = [];
  private files = new Map<string, FakeFile>();
  private texts = new Map<string, string>();
  private patterns: [RegExp, FakeFile][] = [];
  private fdNames = new Map<number, string>();
  private nextFd = 100;
  private cwd = "/";
  /** The permitted set capget reports: every capability up to CAP_CHECKPOINT_RESTORE (40). */
  held = (1n << 41n) - 1n;

  constructor() {
    // What every root has, for the /dev/null a mask binds (it must be 1:3)
    this.file(/\/dev\/null$/, "chr", [1, 3]);
    this.text("/proc/sys/kernel/cap_last_cap", "40\n");
  }

  // --- scripting ---

  /** `call` on `path` fails with `errno` (a name like "EPERM" or a number), every time or `times` times. */
  fail(call: Call, errno: string | number, path?: string | RegExp, times?: number): this {
    this.rules.push({ call, path, times, answer: { errno } });
    return this;
  }

  /** `call` on `path` returns `value`. */
  answer(call: Call, returns: unknown, path?: string | RegExp, times?: number): this {
    this.rules.push({ call, path, times, answer: { returns } });
    return this;
  }

  /** `call` on `path` runs `fn` with the call's arguments and returns what it returns (readSome filling a buffer …). */
  on<C extends Call>(call: C, fn: (...args: Parameters<Sys[C]>) => ReturnType<Sys[C]>, path?: string | RegExp, times?: number): this {
    this.rules.push({ call, path, times, answer: { does: fn as (...args: never[]) => unknown } });
    return this;
  }

  /** What stat/lstat/fstat report for `path` (default: a directory; ".../dev/null": the null device). */
  file(path: string | RegExp, kind: FileKind, rdev?: [number, number], mode = 0o755): this {
    if (path instanceof RegExp) this.patterns.unshift([path, { kind, rdev, mode }]);
    else this.files.set(path, { kind, rdev, mode });
    return this;
  }

  /** What readTextFile(path) returns. */
  text(path: string, content: string): this {
    this.texts.set(path, content);
    return this;
  }

  // --- reading the record ---

  /** The calls named `call` (all calls without one). */
  of(call?: Call): Recorded[] {
    return call ? this.calls.filter((c) => c.call === call) : this.calls;
  }

  /** Index in `calls` of the first call matching `pred` after `from` (-1 if none). */
  indexOf(pred: (c: Recorded) => boolean, from = 0): number {
    for (let i = from; i < this.calls.length; i++) if (pred(this.calls[i]!)) return i;
    return -1;
  }

  lastIndexOf(pred: (c: Recorded) => boolean): number {
    for (let i = this.calls.length - 1; i >= 0; i--) if (pred(this.calls[i]!)) return i;
    return -1;
  }

  /** The name of an fd the fake handed out (the path it was opened on). */
  nameOf(fd: number): string {
    return this.fdNames.get(fd) ?? `fd ${fd}`;
  }

  // --- the machinery ---

  /** Resolves /proc/self/fd/N to what fd N was opened on. */
  private shown(path: string): string {
    const m = /^\/proc\/self\/fd\/(\d+)(\/.*)?$/.exec(path);
    return m && this.fdNames.has(Number(m[1])) ? this.fdNames.get(Number(m[1]))! + (m[2] ?? "") : path;
  }

  /** The path a dirfd-relative call names. */
  private at(dirfd: number, path: string): string {
    if (path.startsWith("/")) return this.shown(path);
    if (dirfd === AT.FDCWD) return `${this.cwd}/${path}`.replace(/\/+/g, "/");
    const base = this.nameOf(dirfd);
    return path === "." || path === "" ? base : `${base === "/" ? "" : base}/${path}`;
  }

  private record(call: Call, args: unknown[], path: string): Answer | undefined {
    this.calls.push({ call, args, path });
    const rule = this.rules.find((r) => r.call === call && (r.path === undefined || (typeof r.path === "string" ? r.path === path : r.path.test(path))) && r.times !== 0);
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    if ("errno" in rule.answer) {
      const n = typeof rule.answer.errno === "number" ? rule.answer.errno : errnoNumber(rule.answer.errno);
      if (n === undefined) throw new Error(`fake-sys: unknown errno ${rule.answer.errno}`);
      throw new SysError(call, n, path || undefined);
    }
    return rule.answer;
  }

  /** Records the call; a scripted answer wins, else `dflt()`. */
  private run<T>(call: Call, args: unknown[], path: string, dflt: () => T): T {
    const a = this.record(call, args, path);
    if (!a) return dflt();
    return "does" in a ? (a.does as (...xs: unknown[]) => T)(...args) : (a as { returns: T }).returns;
  }

  private newFd(name: string): number {
    const fd = this.nextFd++;
    this.fdNames.set(fd, name);
    return fd;
  }

  private statOf(path: string): Stat {
    const f = this.files.get(path) ?? this.patterns.find(([re]) => re.test(path))?.[1] ?? { kind: "dir" as const };
    const type = TYPE_BITS[f.kind];
    return {
      mode: type | (f.mode ?? 0o755), uid: 0, gid: 0, size: 0, mtimeMs: 0, mtimeNs: 0n, ino: 1n, devMajor: 0, devMinor: 0,
      rdevMajor: f.rdev?.[0] ?? 0, rdevMinor: f.rdev?.[1] ?? 0,
      isFile: () => type === S.IFREG, isDirectory: () => type === S.IFDIR, isCharacterDevice: () => type === S.IFCHR,
      isBlockDevice: () => type === S.IFBLK, isSymbolicLink: () => type === S.IFLNK,
    };
  }

  // --- Sys: namespaces and mounts ---
  unshare(flags: number): void { this.run("unshare", [flags], "", () => {}); }
  setns(fd: number, nstype: number, what?: string): void { this.run("setns", [fd, nstype], what ?? this.nameOf(fd), () => {}); }
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.run("mount", [source === null ? null : this.shown(source), this.shown(target), fstype, flags, data], this.shown(target), () => {});
  }
  umount2(target: string, flags: number): void { this.run("umount2", [target, flags], target, () => {}); }
  chroot(path: string): void { this.run("chroot", [path], this.cwd, () => {}); }
  pivotRoot(newRoot: string, putOld: string): void { this.run("pivotRoot", [newRoot, putOld], this.cwd, () => {}); }
  openTreeClone(fd: number, recursive: boolean): number {
    return this.run("openTreeClone", [fd, recursive], this.nameOf(fd), () => this.newFd(`clone of ${this.nameOf(fd)}`));
  }
  mountSetattr(fd: number, set: number, clear: number, propagation: number, recursive: boolean, _what?: string, usernsFd?: number): void {
    this.run("mountSetattr", [fd, set, clear, propagation, recursive, ...(usernsFd !== undefined ? [this.nameOf(usernsFd)] : [])], this.nameOf(fd), () => {});
  }
  moveMount(from: number, to: number): void { this.run("moveMount", [this.nameOf(from), this.nameOf(to)], this.nameOf(to), () => {}); }

  // --- files ---
  open(path: string, flags: number, mode = 0): number { return this.run("open", [path, flags, mode], this.shown(path), () => this.newFd(this.shown(path))); }
  openat(dirfd: number, path: string, flags: number, mode = 0): number {
    const p = this.at(dirfd, path);
    return this.run("openat", [dirfd, path, flags, mode], p, () => this.newFd(p));
  }
  openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
    const p = this.at(dirfd, path);
    return this.run("openat2", [dirfd, path, flags, resolve, mode], p, () => this.newFd(p));
  }
  mkdirat(dirfd: number, path: string, mode: number): void { this.run("mkdirat", [dirfd, path, mode], this.at(dirfd, path), () => {}); }
  mkdirs(path: string, mode = 0o777): void { this.run("mkdirs", [path, mode], path, () => {}); }
  mknodat(dirfd: number, path: string, mode: number, major = 0, minor = 0): void {
    this.run("mknodat", [dirfd, path, mode, major, minor], this.at(dirfd, path), () => {});
  }
  mknod(path: string, mode: number, major: number, minor: number): void { this.run("mknod", [path, mode, major, minor], path, () => {}); }
  symlinkat(target: string, dirfd: number, path: string): void { this.run("symlinkat", [target, dirfd, path], this.at(dirfd, path), () => {}); }
  readlinkat(dirfd: number, path: string): string {
    return this.run("readlinkat", [dirfd, path], this.at(dirfd, path), () => { throw new SysError("readlinkat", 22, this.at(dirfd, path)); });
  }
  fchownat(dirfd: number, path: string, uid: number, gid: number): void { this.run("fchownat", [dirfd, path, uid, gid], this.at(dirfd, path), () => {}); }
  fchown(fd: number, uid: number, gid: number): void { this.run("fchown", [fd, uid, gid], this.nameOf(fd), () => {}); }
  fstat(fd: number): Stat { return this.run("fstat", [fd], this.nameOf(fd), () => this.statOf(this.nameOf(fd))); }
  stat(path: string): Stat { return this.run("stat", [path], path, () => this.statOf(path)); }
  lstat(path: string): Stat { return this.run("lstat", [path], path, () => this.statOf(path)); }
  access(path: string, mode: number): boolean { return this.run("access", [path, mode], path, () => true); }
  fstatfsType(fd: number): number {
    const p = this.nameOf(fd);
    return this.run("fstatfsType", [fd], p, () => (/(^|\/)proc(\/|$)/.test(p) ? PROC_SUPER_MAGIC : /\/dev\/pts/.test(p) ? DEVPTS_SUPER_MAGIC : TMPFS_MAGIC));
  }
  readTextFile(path: string): string {
    return this.run("readTextFile", [path], path, () => {
      const t = this.texts.get(path);
      if (t === undefined) throw new SysError("openat", 2, path);
      return t;
    });
  }
  readSome(fd: number, buf: Uint8Array, off = 0): number { return this.run("readSome", [fd, buf, off], this.nameOf(fd), () => 0); }
  writeAll(fd: number, data: Uint8Array): void { this.run("writeAll", [fd, Buffer.from(data).toString()], this.nameOf(fd), () => {}); }
  /** Recorded when called; what the write failed with (scripted) is thrown by `wait`, as the real one's is. */
  writeInBackground(path: string, data: string): { wait(): void } {
    let failure: unknown;
    try { this.run("writeInBackground", [path, data], path, () => {}); } catch (e) { failure = e; }
    return { wait: () => { if (failure) throw failure; } };
  }
  close(fd: number): void { this.run("close", [fd], this.nameOf(fd), () => {}); }
  dup2(fd: number, target: number): void { this.run("dup2", [fd, target], this.nameOf(fd), () => {}); }
  dupCloexec(fd: number): number { return this.run("dupCloexec", [fd], this.nameOf(fd), () => this.newFd(this.nameOf(fd))); }
  setCloexec(fd: number): void { this.run("setCloexec", [fd], "", () => {}); }
  cloexecFrom(first: number): void { this.run("cloexecFrom", [first], "", () => {}); }
  pipe(nonblockWrite = false): [number, number] { return this.run("pipe", [nonblockWrite], "", () => [this.newFd("pipe:r"), this.newFd("pipe:w")]); }
  watchModify(path: string): number { return this.run("watchModify", [path], path, () => this.newFd(`inotify ${path}`)); }

  // --- sockets ---
  socketpair(): [number, number] { return this.run("socketpair", [], "", () => [this.newFd("socket:a"), this.newFd("socket:b")]); }
  sendFd(sock: number, data: Buffer, fd: number): void { this.run("sendFd", [sock, data.toString(), this.nameOf(fd)], this.nameOf(sock), () => {}); }
  recvWithFds(sock: number, max?: number): { data: Buffer; fds: number[] } {
    return this.run("recvWithFds", [sock, max], this.nameOf(sock), () => ({ data: Buffer.alloc(0), fds: [] }));
  }
  interfaceUp(name: string): void { this.run("interfaceUp", [name], name, () => {}); }

  // --- terminals ---
  openpty(rows?: number, cols?: number): { master: number; slave: number } {
    return this.run("openpty", [rows, cols], "", () => ({ master: this.newFd("pty master"), slave: this.newFd("pty slave") }));
  }
  openContainerPty(ptsDir = "/dev/pts"): { master: number; slave: number } {
    return this.run("openContainerPty", [ptsDir], `${ptsDir}/ptmx`, () => ({ master: this.newFd(`${ptsDir}/ptmx`), slave: this.newFd(`${ptsDir}/0`) }));
  }
  setsid(): number { return this.run("setsid", [], "", () => 1); }
  setControllingTerminal(fd: number): void { this.run("setControllingTerminal", [fd], "", () => {}); }
  isatty(fd: number): boolean { return this.run("isatty", [fd], "", () => false); }
  getWindowSize(fd: number): { rows: number; cols: number } | undefined { return this.run("getWindowSize", [fd], "", () => undefined); }
  setWindowSize(fd: number, size: { rows: number; cols: number }): void { this.run("setWindowSize", [fd, size], "", () => {}); }
  makeRaw(fd: number): Uint8Array { return this.run("makeRaw", [fd], "", () => new Uint8Array(64)); }
  restoreTerminal(fd: number, saved: Uint8Array): void { this.run("restoreTerminal", [fd, saved], "", () => {}); }

  // --- the process ---
  chdir(path: string): void {
    this.run("chdir", [path], path, () => {
      this.cwd = path.startsWith("/") ? path : path === "." ? this.cwd : `${this.cwd}/${path}`;
    });
  }
  fchdir(fd: number): void { this.run("fchdir", [fd], this.nameOf(fd), () => { this.cwd = this.nameOf(fd); }); }
  getcwd(): string { return this.run("getcwd", [], "", () => this.cwd); }
  sethostname(name: string): void { this.run("sethostname", [name], "", () => {}); }
  setdomainname(name: string): void { this.run("setdomainname", [name], "", () => {}); }
  execve(path: string, argv: string[], env: string[]): never {
    this.run("execve", [path, argv, env], path, () => {});
    throw new FakeExecve(path, argv);
  }
  prctl(option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): number { return this.run("prctl", [option, arg2, arg3, arg4, arg5], "", () => 0); }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void { this.run("capset", [effective, permitted, inheritable], "", () => {}); }
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    return this.run("capget", [], "", () => ({ effective: this.held, permitted: this.held, inheritable: 0n }));
  }
  setresuid(uid: number): void { this.run("setresuid", [uid], "", () => {}); }
  setresgid(gid: number): void { this.run("setresgid", [gid], "", () => {}); }
  setgroups(gids: number[]): void { this.run("setgroups", [gids], "", () => {}); }
  setrlimit(resource: number, soft: bigint, hard: bigint, name?: string): void { this.run("setrlimit", [resource, soft, hard], name ?? "", () => {}); }
  umask(mask: number): number { return this.run("umask", [mask], "", () => 0o22); }
  joinSessionKeyring(): number { return this.run("joinSessionKeyring", [], "", () => 1); }
  seccompInstall(program: Uint8Array, flags = 0): void { this.run("seccompInstall", [program.length / 8, flags], "", () => {}); }
  seccompExecve(program: Uint8Array, flags: number, path: string, argv: string[], env: string[]): never {
    this.run("seccompExecve", [program.length / 8, flags, path, argv, env], path, () => {});
    throw new FakeExecve(path, argv);
  }
  kill(pid: number, signal: number): void { this.run("kill", [pid, signal], String(pid), () => {}); }
  pidfdOpen(pid: number): number { return this.run("pidfdOpen", [pid], String(pid), () => this.newFd(`pidfd ${pid}`)); }
  reapOrphans(keep: number): void { this.run("reapOrphans", [keep], "", () => {}); }
  pageOutSelf(): void { this.run("pageOutSelf", [], "", () => {}); }
  setDeviceFilter(dir: string, program: Uint8Array): void { this.run("setDeviceFilter", [dir, program.length], dir, () => {}); }
}
