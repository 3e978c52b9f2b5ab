// The process steps of a plan: limits, user and groups, capabilities, the session, the terminal,
// the working directory: what the container's program inherits from the stage that execs it.
import type { Step } from "../steps.ts";
import type { StepContext } from "../apply-context.ts";
import type { Sys } from "../../sys/sys.ts";
import { PR, O, CAPS } from "../../sys/constants.ts";
import { SysError } from "../../sys/errno.ts";

type Kind<K extends Step["kind"]> = Extract<Step, { kind: K }>;

export const processAppliers = {
  "rlimit": (step: Kind<"rlimit">, { sys }: StepContext) => sys.setrlimit(step.resource, BigInt(step.soft), BigInt(step.hard), step.name),
  "umask": (step: Kind<"umask">, { sys }: StepContext) => void sys.umask(step.mask),
  "chdir": applyChdir,
  "set-user": (step: Kind<"set-user">, { sys }: StepContext) => {
    sys.prctl(PR.SET_KEEPCAPS, 1);
    sys.setgroups(step.additionalGids);
    sys.setresgid(step.gid);
    sys.setresuid(step.uid);
  },
  "capabilities": applyCapabilities,
  "no-new-privs": (_: Kind<"no-new-privs">, { sys }: StepContext) => void sys.prctl(PR.SET_NO_NEW_PRIVS, 1),
  "parent-death-signal": (step: Kind<"parent-death-signal">, { sys }: StepContext) => void sys.prctl(PR.SET_PDEATHSIG, step.signal),
  "new-session": (_: Kind<"new-session">, { sys }: StepContext) => void sys.setsid(),
  "session-keyring": (_: Kind<"session-keyring">, { sys }: StepContext) => {
    try {
      sys.joinSessionKeyring();
    } catch (e) {
      // A kernel without keyrings (CONFIG_KEYS=n) has no keyring to share: nothing to replace,
      // as runc decides. Anything else fails the start: going on would hand over the host's
      if (!(e instanceof SysError && e.code === "ENOSYS")) throw e;
    }
  },
  "controlling-tty": (_: Kind<"controlling-tty">, { sys }: StepContext) => {
    sys.setsid();
    sys.setControllingTerminal(0);
  },
  "console": applyConsole,
  "stdin-null": (_: Kind<"stdin-null">, { sys }: StepContext) => {
    const fd = sys.open("/dev/null", O.RDWR | O.CLOEXEC);
    sys.dup2(fd, 0);
    sys.close(fd);
  },
};

function applyChdir(step: Kind<"chdir">, { sys }: StepContext): void {
  // docker run creates a missing working directory; exec does not (runc: chdir fails)
  if (step.create && !exists(sys, step.path)) sys.mkdirs(step.path, 0o755);
  sys.chdir(step.path);
  // CVE-2024-21626: make sure the working directory really is inside the container's root
  const cwd = sys.getcwd();
  if (!cwd.startsWith("/")) throw new SysError("getcwd", 2, `working directory ${step.path} is outside the container`);
}

function applyConsole(step: Kind<"console">, ctx: StepContext): void {
  const { sys } = ctx;
  // The container's own devpts instance: the slave is a tty of the container, as runc makes it.
  // Only devpts's own ptmx is opened: the container controls /dev (devpts.ts)
  const { master, slave } = sys.openContainerPty();
  sys.fchown(slave, step.uid, step.gid);
  for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
  sys.close(slave);
  if (!ctx.sendConsole) throw new Error("no console socket to send the pty to");
  ctx.sendConsole(master);
  sys.close(master);
}

function applyCapabilities(step: Kind<"capabilities">, ctx: StepContext): void {
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
