// Walks a plan and makes the kernel calls, inside the init (or exec) stage. Synchronous only:
// after unshare(CLONE_NEWNS) Bun's pool threads still live in the host's mount namespace.
import { lstatSync, mkdirSync, symlinkSync, writeFileSync, chownSync, statSync, readFileSync } from "node:fs";
import type { Step } from "../linux/steps.ts";
import { resolveInRoot, createInRoot } from "../linux/rootpath.ts";
import { MS, MNT_DETACH, PR, S, O, CAPS } from "../sys/constants.ts";
import type { Sys } from "../sys/kernel.ts";
import { SysError } from "../sys/errno.ts";
import { resolveExecutable, ExecError } from "./executable.ts";

export interface ApplyContext {
  sys: Sys;
  /** Host path of the container's root until pivot_root; "/" after. */
  rootfs: string;
  pivoted: boolean;
  /** Called right before execve, e.g. to report "ready" and wait for `start`. */
  beforeExec(path: string): void;
  /** Notified as each step starts (for --explain=timing and error context). */
  onStep?(step: Step): void;
}

/** A step failed: which one, and the kernel error behind it. */
export class StepError extends Error {
  constructor(readonly step: Step, readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function applyPlan(steps: Step[], ctx: ApplyContext): never {
  for (const step of steps) {
    ctx.onStep?.(step);
    try {
      applyStep(step, ctx);
    } catch (e) {
      if (e instanceof ExecError) throw e;
      throw new StepError(step, e);
    }
  }
  throw new Error("plan ended without exec");
}

function hostPath(ctx: ApplyContext, where: string, target: string): string {
  if (where === "host" || ctx.pivoted) return target;
  return resolveInRoot(ctx.rootfs, target);
}

function applyStep(step: Step, ctx: ApplyContext): void {
  const { sys } = ctx;
  switch (step.kind) {
    case "unshare":
      return sys.unshare(step.flags);
    case "propagation":
      return sys.mount(null, step.target === "/" ? "/" : hostPath(ctx, "rootfs", step.target), null, step.flags, null);
    case "mount": {
      const isBind = (step.flags & MS.BIND) !== 0;
      let target: string;
      if (step.where === "host") {
        mkdirSync(step.target, { recursive: true });
        target = step.target;
      } else {
        const kind = isBind && !isDirectory(step.source) ? "file" : "dir";
        target = ctx.pivoted ? step.target : createInRoot(ctx.rootfs, step.target, kind);
      }
      return sys.mount(step.source, target, isBind ? null : step.fstype, step.flags, step.data || null);
    }
    case "remount": {
      const target = step.target === "/" && step.where === "container" ? "/" : hostPath(ctx, step.where, step.target);
      return sys.mount(null, target, null, step.flags, null);
    }
    case "check-not-symlink":
      for (const p of step.paths) {
        const host = `${ctx.rootfs}${p}`;
        if (existsLink(host)) throw new SysError("check", 40, `${p} in the image is a symlink (refused)`);
      }
      return;
    case "mknod": {
      const path = hostPath(ctx, "rootfs", step.path);
      const type = step.type === "c" ? S.IFCHR : step.type === "b" ? S.IFBLK : S.IFIFO;
      if (exists(path)) return;
      sys.mknod(path, type | step.mode, step.major, step.minor); // exact mode: init runs with umask 0
      if (step.uid !== 0 || step.gid !== 0) chownSync(path, step.uid, step.gid);
      return;
    }
    case "symlink": {
      const parent = step.path.slice(0, step.path.lastIndexOf("/")) || "/";
      const host = `${hostPath(ctx, "rootfs", parent)}/${step.path.slice(step.path.lastIndexOf("/") + 1)}`;
      if (!exists(host)) symlinkSync(step.target, host);
      return;
    }
    case "pivot-root": {
      // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves no host tree behind
      sys.chdir(step.rootfs);
      sys.pivotRoot(".", ".");
      sys.mount(null, ".", null, MS.SLAVE | MS.REC, null);
      sys.umount2(".", MNT_DETACH);
      sys.chdir("/");
      ctx.pivoted = true;
      ctx.rootfs = "/";
      return;
    }
    case "mask":
      return maskPath(step.path, sys);
    case "readonly":
      if (!exists(step.path)) return;
      sys.mount(step.path, step.path, null, MS.BIND | MS.REC, null);
      sys.mount(null, step.path, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.REC | MS.NOSUID | MS.NODEV | MS.NOEXEC, null);
      return;
    case "hostname":
      return sys.sethostname(step.name);
    case "domainname":
      return sys.setdomainname(step.name);
    case "interface-up":
      return sys.interfaceUp(step.name);
    case "sysctl":
      writeFileSync(`/proc/sys/${step.key.replace(/\./g, "/")}`, step.value);
      return;
    case "rlimit":
      return sys.setrlimit(step.resource, BigInt(step.soft), BigInt(step.hard), step.name);
    case "umask":
      sys.umask(step.mask);
      return;
    case "chdir": {
      // Docker creates a missing working directory
      if (!exists(step.path)) mkdirSync(step.path, { recursive: true, mode: 0o755 });
      sys.chdir(step.path);
      // CVE-2024-21626: make sure the working directory really is inside the container's root
      const cwd = sys.getcwd();
      if (!cwd.startsWith("/")) throw new SysError("getcwd", 2, `working directory ${step.path} is outside the container`);
      return;
    }
    case "set-user":
      sys.prctl(PR.SET_KEEPCAPS, 1);
      sys.setgroups(step.additionalGids);
      sys.setresgid(step.gid);
      sys.setresuid(step.uid);
      return;
    case "capabilities":
      return applyCapabilities(step, sys);
    case "no-new-privs":
      sys.prctl(PR.SET_NO_NEW_PRIVS, 1);
      return;
    case "seccomp":
      sys.seccompInstall(Buffer.from(step.program, "base64"));
      return;
    case "stdin-null": {
      const fd = sys.open("/dev/null", O.RDWR | O.CLOEXEC);
      sys.dup2(fd, 0);
      sys.close(fd);
      return;
    }
    case "exec": {
      const env = step.env;
      const path = resolveExecutable(step.args[0] ?? "", env);
      ctx.beforeExec(path);
      sys.execve(path, step.args, env);
    }
  }
}

function applyCapabilities(step: Extract<Step, { kind: "capabilities" }>, sys: Sys): void {
  // After setresuid to a non-root user the effective set is empty; permitted is kept (KEEPCAPS)
  const { permitted } = sys.capget();
  sys.capset(permitted, permitted, 0n);
  const bounding = BigInt("0x" + step.bounding);
  for (let cap = 0; cap <= lastCap(); cap++) {
    if (!((bounding >> BigInt(cap)) & 1n)) sys.prctl(PR.CAPBSET_DROP, cap);
  }
  sys.capset(BigInt("0x" + step.effective), BigInt("0x" + step.permitted), BigInt("0x" + step.inheritable));
  sys.prctl(PR.CAP_AMBIENT, PR.CAP_AMBIENT_CLEAR_ALL);
  const ambient = BigInt("0x" + step.ambient);
  for (let cap = 0; cap <= lastCap(); cap++) {
    if ((ambient >> BigInt(cap)) & 1n) sys.prctl(PR.CAP_AMBIENT, 2 /* RAISE */, cap);
  }
  sys.prctl(PR.SET_KEEPCAPS, 0);
}

let cachedLastCap: number | undefined;
function lastCap(): number {
  if (cachedLastCap === undefined) {
    try {
      cachedLastCap = Number(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8").trim());
    } catch {
      cachedLastCap = CAPS.length - 1;
    }
  }
  return cachedLastCap;
}

function maskPath(path: string, sys: Sys): void {
  let st;
  try { st = statSync(path); } catch { return; }
  if (st.isDirectory()) {
    sys.mount("tmpfs", path, "tmpfs", MS.RDONLY, null);
    return;
  }
  // Only mask with a /dev/null bunbox itself created (CVE-2025-31133)
  const dn = lstatSync("/dev/null");
  if (!dn.isCharacterDevice() || dn.rdev !== 0x103) throw new SysError("mask", 22, `/dev/null is not the null device; refusing to mask ${path}`);
  sys.mount("/dev/null", path, null, MS.BIND, null);
}

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return true; }
}
function exists(path: string): boolean {
  try { lstatSync(path); return true; } catch { return false; }
}
function existsLink(path: string): boolean {
  try { return lstatSync(path).isSymbolicLink(); } catch { return false; }
}
