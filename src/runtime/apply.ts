// Walks a plan and makes the kernel calls, inside the init (or exec) stage. Synchronous only:
// after unshare(CLONE_NEWNS) Bun's pool threads still live in the host's mount namespace.
// No node:fs in the init stage: loading it cost ~3.5 ms of every container start (src/sys instead)
import type { Step, HookSpec } from "../linux/steps.ts";
import { PR, O, CAPS, CLONE } from "../sys/constants.ts";
import { applyFilesystemStep } from "./apply-fs.ts";
import type { Sys } from "../sys/sys.ts";
import { SysError } from "../sys/errno.ts";
import { BunboxError } from "../errors.ts";
import { resolveExecutable, ExecError } from "./executable.ts";
import { StayAsInit } from "./pid1.ts";
import { narrate, stepLine, type Narration } from "./narrate.ts";
import { setExecProfile, procAttrIO } from "./apply-apparmor.ts";
import { joinUserNamespace, mountIdmappedOverlay, rebindRoot } from "./apply-userns.ts";

export interface ApplyContext {
  sys: Sys;
  /** Host path of the container's root until pivot_root; "/" after. */
  rootfs: string;
  pivoted: boolean;
  /** An O_PATH fd of the container's root, opened once its root is mounted (reopened after pivot_root). */
  rootFd?: number;
  /** Called right before execve, e.g. to report "ready" and wait for `start`. */
  beforeExec(): void;
  /**
   * The program is looked up after beforeExec rather than before: Docker's create, whose daemon
   * only runs the OCI runtime's create at start (a missing program fails start). runc's create
   * looks it up first, so that a missing one fails create.
   */
  lookupAtStart?: boolean;
  /** --explain: a line per step on stderr, as it is applied. */
  narrate?: Narration;
  /** OCI console socket: hands the pty master opened inside the container to the parent. */
  sendConsole?(master: number): void;
  /** OCI create hooks: lets the parent run prestart/createRuntime, then runs createContainer ones here. */
  createHooks?(hooks: HookSpec[]): void;
  /** The seccomp step's filter, installed by the exec step right before execve. */
  filter?: { program: Uint8Array; flags: number };
  /** The capability sets to end with once the filter is in (held back by holdForFilter), for --init. */
  finalCaps?: { effective: bigint; permitted: bigint; inheritable: bigint };
}

/** A step failed: which one, and the kernel error behind it. */
export class StepError extends BunboxError {
  constructor(readonly step: Step, readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), cause instanceof BunboxError ? cause.exitCode : 125);
  }
}

export function applyPlan(steps: Step[], ctx: ApplyContext): never {
  for (const step of steps) {
    const n = ctx.narrate;
    // The last step never returns: say it before, like every step when not timing
    if (n && (!n.timing || step.kind === "exec")) narrate(stepLine(step, n));
    const t0 = performance.now();
    try {
      applyStep(step, ctx);
      if (n?.timing) narrate(stepLine(step, n, performance.now() - t0));
    } catch (e) {
      if (e instanceof ExecError || e instanceof StayAsInit) throw e;
      throw new StepError(step, e);
    }
  }
  throw new Error("plan ended without exec");
}

/** One step's kernel calls (exported for the unit tests, which apply each kind against a fake Sys). */
export function applyStep(step: Step, ctx: ApplyContext): void {
  const { sys } = ctx;
  switch (step.kind) {
    case "unshare":
      sys.unshare(step.flags);
      // A root fd opened in the previous mount namespace (user-namespace.ts's host-side mounts)
      // would aim every later mount at that namespace's tree
      if (step.flags & CLONE.NEWNS && ctx.rootFd !== undefined) {
        sys.close(ctx.rootFd);
        ctx.rootFd = undefined;
      }
      return;
    case "join-user":
      return joinUserNamespace(step, sys);
    case "idmapped-overlay":
      return mountIdmappedOverlay(step, sys);
    case "rebind-root":
      return rebindRoot(ctx);
    case "join-namespaces": {
      // Open every namespace first: after entering the mount namespace, /proc is the container's
      const fds = step.namespaces.map((n) => ({ ...n, fd: sys.open(n.path, O.RDONLY | O.CLOEXEC) }));
      // Threads share fs_struct: setns into a mount namespace needs our own first
      if (step.namespaces.some((n) => n.type === "mount")) sys.unshare(CLONE.FS);
      for (const n of fds) {
        sys.setns(n.fd, n.nstype, n.path);
        sys.close(n.fd);
      }
      // Joining a mount namespace (exec) means its root is already "/"; create may join others only
      if (!step.keepsRoot && step.namespaces.some((n) => n.type === "mount")) {
        ctx.pivoted = true;
        ctx.rootfs = "/";
      }
      return;
    }
    case "propagation":
    case "mount":
    case "bind":
    case "remount":
    case "check-not-symlink":
    case "mknod":
    case "symlink":
    case "pivot-root":
    case "mask":
    case "readonly":
    case "sysctl":
      return applyFilesystemStep(step, ctx);
    case "hostname":
      return sys.sethostname(step.name);
    case "domainname":
      return sys.setdomainname(step.name);
    case "interface-up":
      return sys.interfaceUp(step.name);
    case "rlimit":
      return sys.setrlimit(step.resource, BigInt(step.soft), BigInt(step.hard), step.name);
    case "umask":
      sys.umask(step.mask);
      return;
    case "chdir": {
      // docker run creates a missing working directory; exec does not (runc: chdir fails)
      if (step.create && !exists(sys, step.path)) sys.mkdirs(step.path, 0o755);
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
      return applyCapabilities(step, ctx);
    case "no-new-privs":
      sys.prctl(PR.SET_NO_NEW_PRIVS, 1);
      return;
    case "apparmor":
      return setExecProfile(step.profile, procAttrIO(sys), step.now);
    case "parent-death-signal":
      sys.prctl(PR.SET_PDEATHSIG, step.signal);
      return;
    case "seccomp":
      // Installed by the exec step, with nothing of bunbox's own between it and the execve
      ctx.filter = { program: Buffer.from(step.program, "base64"), flags: step.flags };
      return;
    case "new-session":
      sys.setsid();
      return;
    case "session-keyring":
      try {
        sys.joinSessionKeyring();
      } catch (e) {
        // A kernel without keyrings (CONFIG_KEYS=n) has no keyring to share: nothing to replace,
        // as runc decides. Anything else fails the start: going on would hand over the host's
        if (!(e instanceof SysError && e.code === "ENOSYS")) throw e;
      }
      return;
    case "controlling-tty":
      sys.setsid();
      sys.setControllingTerminal(0);
      return;
    case "console": {
      // The container's own devpts instance: the slave is a tty of the container, as runc makes it.
      // Only devpts's own ptmx is opened: the container controls /dev (devpts.ts)
      const { master, slave } = sys.openContainerPty();
      sys.fchown(slave, step.uid, step.gid);
      for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
      sys.close(slave);
      if (!ctx.sendConsole) throw new Error("no console socket to send the pty to");
      ctx.sendConsole(master);
      sys.close(master);
      return;
    }
    case "create-hooks":
      if (!ctx.createHooks) throw new Error("no runtime to run the create hooks with");
      return ctx.createHooks(step.hooks);
    case "stdin-null": {
      const fd = sys.open("/dev/null", O.RDWR | O.CLOEXEC);
      sys.dup2(fd, 0);
      sys.close(fd);
      return;
    }
    case "exec": {
      const env = step.env;
      // Found, reported "ready", started and fds closed while no filter is in: none of it is a
      // system call the container's profile has to allow
      const lookup = () => resolveExecutable(sys, step.args[0] ?? "", env);
      let path = ctx.lookupAtStart ? undefined : lookup();
      ctx.beforeExec();
      path ??= lookup();
      if (step.init) {
        // --init: this stage goes on running (under the filter, as Docker's tini does) without
        // the capability it held back for installing it
        if (ctx.filter) sys.seccompInstall(ctx.filter.program, ctx.filter.flags);
        if (ctx.finalCaps) sys.capset(ctx.finalCaps.effective, ctx.finalCaps.permitted, ctx.finalCaps.inheritable);
        throw new StayAsInit(path, step.args, env);
      }
      if (ctx.filter) sys.seccompExecve(ctx.filter.program, ctx.filter.flags, path, step.args, env);
      sys.execve(path, step.args, env);
    }
    default:
      // A step kind added to steps.ts without its applier: refused, never skipped in silence
      throw new Error(`no applier for step kind "${(step as Step).kind}"`);
  }
}

function applyCapabilities(step: Extract<Step, { kind: "capabilities" }>, ctx: ApplyContext): void {
  const { sys } = ctx;
  // After setresuid to a non-root user the effective set is empty; permitted is kept (KEEPCAPS).
  // A container cannot get capabilities bunbox itself lacks (some hosts withhold a few, e.g.
  // CAP_SYS_RESOURCE): every set is limited to what bunbox holds, so --privileged still works.
  const { permitted: held } = sys.capget();
  sys.capset(held, held, 0n);
  const mask = (hex: string) => BigInt("0x" + hex) & held;
  const bounding = mask(step.bounding);
  for (let cap = 0; cap <= lastCap(sys); cap++) {
    if (!((bounding >> BigInt(cap)) & 1n)) sys.prctl(PR.CAPBSET_DROP, cap);
  }
  const final = { effective: mask(step.effective), permitted: mask(step.permitted), inheritable: mask(step.inheritable) };
  // Ambient needs permitted and inheritable: raised below while holding the admin capability too
  const hold = step.holdForFilter ? held & CAP_SYS_ADMIN : 0n;
  sys.capset(final.effective | hold, final.permitted | hold, final.inheritable);
  if (hold) ctx.finalCaps = final;
  sys.prctl(PR.CAP_AMBIENT, PR.CAP_AMBIENT_CLEAR_ALL);
  const ambient = mask(step.ambient);
  for (let cap = 0; cap <= lastCap(sys); cap++) {
    // A capability can only be ambient if it is also inheritable; like runc, a set that asks
    // for more (runc spec's default does) is not an error: the program just starts without it
    if ((ambient >> BigInt(cap)) & 1n) {
      try { sys.prctl(PR.CAP_AMBIENT, 2 /* PR_CAP_AMBIENT_RAISE */, cap); } catch { /* not inheritable */ }
    }
  }
  sys.prctl(PR.SET_KEEPCAPS, 0);
}

const CAP_SYS_ADMIN = 1n << 21n;

let cachedLastCap: number | undefined;
function lastCap(sys: Sys): number {
  if (cachedLastCap === undefined) {
    try {
      cachedLastCap = Number(sys.readTextFile("/proc/sys/kernel/cap_last_cap").trim());
    } catch {
      cachedLastCap = CAPS.length - 1;
    }
  }
  return cachedLastCap;
}

function exists(sys: Sys, path: string): boolean {
  try { sys.lstat(path); return true; } catch { return false; }
}
