// applyPlan against the recording fake of Sys (test/fake-sys.ts): the kernel calls a plan makes,
// in order, without root. What the kernel then does with them is the e2e tests' part.
import { describe, expect, test } from "bun:test";
import { FakeSys, FakeExecve, type Call } from "../../fake-sys.ts";
import { applyPlan, applyStep, StepError, type ApplyContext } from "../../../src/runtime/apply.ts";
import { STEP_KINDS, type Step, type StepKind, type HookSpec } from "../../../src/linux/steps.ts";
import { specFromFlags, type RunFlags } from "../../../src/config/from-flags.ts";
import { planInit } from "../../../src/runtime/plan.ts";
import { cgroupLayoutForMounts } from "../../../src/runtime/create.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { SysError } from "../../../src/sys/errno.ts";
import { CLONE, MS, PR, O } from "../../../src/sys/constants.ts";

const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "", group: "" };
const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "" };
const paths = { id: "c0ffee".padEnd(64, "0"), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const flags = (over: Partial<RunFlags>): RunFlags => ({ env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [], ...over });
const V2 = parseCgroupHost("40 22 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice\n");

function planFor(over: Partial<RunFlags>) {
  const spec = specFromFlags(flags(over), image, host, paths).spec;
  return { spec, steps: planInit(spec, { cgroups: cgroupLayoutForMounts(V2) }) };
}

/** What the init stage passes applyPlan, with the fake and a log of the stage's own callbacks. */
function context(sys: FakeSys, rootfs = "/c/rootfs") {
  const log = { consoles: [] as number[], hooks: [] as HookSpec[][], beforeExecs: 0 };
  const ctx: ApplyContext = {
    sys, rootfs, pivoted: false,
    beforeExec: () => void log.beforeExecs++,
    sendConsole: (master) => void log.consoles.push(master),
    createHooks: (hooks) => void log.hooks.push(hooks),
  };
  return { ctx, log };
}

/** Runs a whole plan to its execve (which the fake answers by throwing FakeExecve). */
function applyToExec(sys: FakeSys, steps: Step[]): FakeExecve {
  try {
    applyPlan(steps, context(sys).ctx);
  } catch (e) {
    if (e instanceof StepError && e.cause instanceof FakeExecve) return e.cause;
    throw e;
  }
  throw new Error("applyPlan returned");
}

const isMount = (target: string, flags?: number) => (c: { call: Call; args: unknown[] }) =>
  c.call === "mount" && c.args[1] === target && (flags === undefined || c.args[3] === flags);

describe("--read-only", () => {
  const RO_ROOT = MS.BIND | MS.REMOUNT | MS.RDONLY;

  test("ends in mount(NULL, \"/\", NULL, MS_BIND|MS_REMOUNT|MS_RDONLY) after pivot_root and the masks, before execve, and no mount follows", () => {
    const sys = new FakeSys().file("/bin/sh", "file");
    const { spec, steps } = planFor({ readOnly: true, command: ["sh"] });
    applyToExec(sys, steps);
    const pivot = sys.indexOf((c) => c.call === "pivotRoot");
    const masked = new Set(spec.linux!.maskedPaths!);
    expect(masked.size).toBeGreaterThan(0);
    const lastMask = sys.lastIndexOf((c) => c.call === "mount" && masked.has(c.path));
    const readOnly = sys.indexOf((c) => isMount("/", RO_ROOT)(c) && c.args[0] === null && c.args[2] === null && c.args[4] === null);
    const exec = sys.indexOf((c) => c.call === "execve");
    expect([pivot, lastMask, readOnly, exec].every((i) => i >= 0)).toBe(true);
    // The root's remount is of "/" in the container, so after pivot_root (as runc's finalizeRootfs)
    expect(pivot).toBeLessThan(lastMask);
    expect(lastMask).toBeLessThan(readOnly);
    expect(readOnly).toBeLessThan(exec);
    expect(sys.indexOf((c) => c.call === "mount", readOnly + 1)).toBe(-1);
    // -w made while the root was still writable (Docker makes a missing working directory)
    expect(sys.indexOf((c) => c.call === "mkdirs" || c.call === "lstat")).toBeLessThan(readOnly);
  });

  test("without it, the root is never remounted read-only", () => {
    const sys = new FakeSys().file("/bin/sh", "file");
    applyToExec(sys, planFor({ command: ["sh"] }).steps);
    expect(sys.indexOf(isMount("/", RO_ROOT))).toBe(-1);
    expect(sys.of("execve").map((c) => c.args[0])).toEqual(["/bin/sh"]);
  });
});

describe("a failed step", () => {
  test("stops the plan where it failed: nothing after it is applied, the error names the step and the container path", () => {
    const sys = new FakeSys().file("/bin/sh", "file").fail("mount", "EPERM", "/c/rootfs/proc");
    const { steps } = planFor({ command: ["sh"] });
    let error: unknown;
    try {
      applyPlan(steps, context(sys).ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StepError);
    const step = (error as StepError).step as Extract<Step, { kind: "mount" }>;
    expect([step.kind, step.target]).toEqual(["mount", "/proc"]);
    expect((error as StepError).cause).toBeInstanceOf(SysError);
    expect((error as StepError).message).toBe("mount proc on /proc: EPERM (operation not permitted)");
    // Only the fd of the failed target is closed after it: no later step, no pivot_root, no execve
    const failed = sys.indexOf(isMount("/c/rootfs/proc"));
    expect(sys.calls.slice(failed + 1).map((c) => `${c.call} ${c.path}`)).toEqual(["close /c/rootfs/proc"]);
    // Nothing is undone in the stage: its mount namespace (overlay, binds, /proc) dies with it
    expect(sys.of("umount2")).toEqual([]);
  });

  test("an error of the exec step itself (not found) is not wrapped: it is the 127 the user sees", () => {
    const sys = new FakeSys();
    let error: unknown;
    try {
      applyPlan(planFor({ command: ["nope"] }).steps, context(sys).ctx);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('exec: "nope": executable file not found in $PATH');
    expect((error as { exitCode?: number }).exitCode).toBe(127);
    expect(sys.of("execve")).toEqual([]);
  });
});

const base = { concept: "filesystem" as const, why: "unit test" };
const step = <K extends StepKind>(s: Omit<Extract<Step, { kind: K }>, "concept" | "why"> & { kind: K }): Step => ({ ...base, ...s }) as Step;

/** Any fd the fake handed out (which one is the path's business, checked by `path`). */
const FD = expect.any(Number);

/** One step of each kind, and the call that shows it was applied (with its arguments where they are the point). */
const SAMPLES: Record<StepKind, { step: Step; then?: Step; call?: Call; path?: string; args?: unknown[]; prepare?(sys: FakeSys): void; saw?(log: ReturnType<typeof context>["log"]): unknown }> = {
  "unshare": { step: step({ kind: "unshare", flags: CLONE.NEWNS | CLONE.NEWUTS }), call: "unshare", args: [CLONE.NEWNS | CLONE.NEWUTS] },
  "join-namespaces": { step: step({ kind: "join-namespaces", namespaces: [{ type: "network", path: "/proc/7/ns/net", nstype: CLONE.NEWNET }] }), call: "setns" },
  "propagation": { step: step({ kind: "propagation", target: "/", flags: MS.REC | MS.PRIVATE }), call: "mount", args: [null, "/", null, MS.REC | MS.PRIVATE, null] },
  "mount": { step: step({ kind: "mount", source: "proc", target: "/proc", where: "rootfs", fstype: "proc", flags: MS.NOSUID, data: "", create: "dir" }), call: "mount", args: ["proc", "/c/rootfs/proc", "proc", MS.NOSUID, null] },
  "remount": { step: step({ kind: "remount", target: "/sys/fs/cgroup", where: "rootfs", flags: MS.REMOUNT | MS.RDONLY }), call: "mount", args: [null, "/c/rootfs/sys/fs/cgroup", null, MS.REMOUNT | MS.RDONLY, null] },
  "bind": { step: step({ kind: "bind", source: "/srv", target: "/data", recursive: true, flags: MS.RDONLY, propagation: 0 }), call: "moveMount", args: ["clone of /srv", "/c/rootfs/data"] },
  "check-not-symlink": { step: step({ kind: "check-not-symlink", paths: ["/proc"] }), call: "openat" },
  "mknod": { step: step({ kind: "mknod", path: "/dev/null", type: "c", major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 }), call: "mknodat", path: "/c/rootfs/dev/null", args: [FD, "null", 0o20666, 1, 3] },
  "symlink": { step: step({ kind: "symlink", path: "/dev/fd", target: "/proc/self/fd" }), call: "symlinkat", path: "/c/rootfs/dev/fd", args: ["/proc/self/fd", FD, "fd"] },
  "pivot-root": { step: step({ kind: "pivot-root", rootfs: "/c/rootfs" }), call: "pivotRoot", args: [".", "."] },
  "mask": { step: step({ kind: "mask", path: "/proc/kcore" }), prepare: (sys) => sys.file("/c/rootfs/proc/kcore", "file"), call: "mount", args: ["/c/rootfs/dev/null", "/c/rootfs/proc/kcore", null, MS.BIND, null] },
  "readonly": { step: step({ kind: "readonly", path: "/proc/sys" }), call: "mount", args: ["/c/rootfs/proc/sys", "/c/rootfs/proc/sys", null, MS.BIND | MS.REC, null] },
  "hostname": { step: step({ kind: "hostname", name: "box" }), call: "sethostname", args: ["box"] },
  "domainname": { step: step({ kind: "domainname", name: "example" }), call: "setdomainname", args: ["example"] },
  "interface-up": { step: step({ kind: "interface-up", name: "lo" }), call: "interfaceUp", args: ["lo"] },
  "sysctl": { step: step({ kind: "sysctl", key: "net.ipv4.ip_forward", value: "1" }), call: "writeAll", path: "/proc/sys/net/ipv4/ip_forward", args: [FD, "1"] },
  "rlimit": { step: step({ kind: "rlimit", name: "RLIMIT_NOFILE", resource: 7, soft: "1024", hard: "4096" }), call: "setrlimit", args: [7, 1024n, 4096n] },
  "umask": { step: step({ kind: "umask", mask: 0o22 }), call: "umask", args: [0o22] },
  "chdir": { step: step({ kind: "chdir", path: "/work" }), call: "chdir", args: ["/work"] },
  "set-user": { step: step({ kind: "set-user", uid: 1000, gid: 100, additionalGids: [10] }), call: "setresuid", args: [1000] },
  "capabilities": { step: step({ kind: "capabilities", bounding: "1", effective: "1", permitted: "1", inheritable: "0", ambient: "0" }), call: "capset" },
  "no-new-privs": { step: step({ kind: "no-new-privs" }), call: "prctl", args: [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0] },
  "apparmor": { step: step({ kind: "apparmor", profile: "bunbox-default" }), call: "writeAll", path: "/proc/thread-self/attr/apparmor/exec", args: [FD, "exec bunbox-default"] },
  "parent-death-signal": { step: step({ kind: "parent-death-signal", signal: 9 }), call: "prctl", args: [PR.SET_PDEATHSIG, 9, 0, 0, 0] },
  // Installed by the exec step, in the same call as the execve: nothing of bunbox's own runs under it
  "seccomp": {
    step: step({ kind: "seccomp", program: Buffer.alloc(16).toString("base64"), syscalls: 1, flags: 0 }), then: step({ kind: "exec", args: ["/bin/sh"], env: [] }),
    prepare: (sys) => sys.file("/bin/sh", "file"), call: "seccompExecve", args: [2, 0, "/bin/sh", ["/bin/sh"], []],
  },
  "stdin-null": { step: step({ kind: "stdin-null" }), call: "dup2", path: "/dev/null", args: [FD, 0] },
  "create-hooks": { step: step({ kind: "create-hooks", hooks: [{ path: "/bin/hook" }] }), saw: (log) => log.hooks.length === 1 },
  "controlling-tty": { step: step({ kind: "controlling-tty" }), call: "setControllingTerminal", args: [0] },
  "new-session": { step: step({ kind: "new-session" }), call: "setsid" },
  "session-keyring": { step: step({ kind: "session-keyring" }), call: "joinSessionKeyring" },
  "console": { step: step({ kind: "console", uid: 1000, gid: 1000 }), call: "fchown", path: "/dev/pts/0", args: [FD, 1000, 1000], saw: (log) => log.consoles.length === 1 },
  "join-user": { step: step({ kind: "join-user", path: "/proc/7/ns/user" }), prepare: (sys) => sys.text("/proc/self/status", "Name:\tbunbox\nThreads:\t1\n"), call: "setns", path: "/proc/7/ns/user", args: [FD, CLONE.NEWUSER] },
  // Each lower layer an idmapped clone (through the user namespace's fd), the overlay over them
  "idmapped-overlay": {
    step: step({ kind: "idmapped-overlay", target: "/c/rootfs", lower: ["/img/a"], upper: "/c/upper", work: "/c/work", volatile: false, userns: "/proc/7/ns/user", stage: "/c/layers" }),
    prepare: (sys) => sys.file("/img/a", "dir"), call: "mount", args: ["overlay", "/c/rootfs", "overlay", 0, "lowerdir=/c/layers/0,upperdir=/c/upper,workdir=/c/work"],
  },
  "rebind-root": { step: step({ kind: "rebind-root" }), call: "moveMount" },
  "exec": { step: step({ kind: "exec", args: ["/bin/sh", "-c", "true"], env: [] }), prepare: (sys) => sys.file("/bin/sh", "file"), call: "execve", args: ["/bin/sh", ["/bin/sh", "-c", "true"], []] },
};

describe("every step kind has an applier", () => {
  test("the list of kinds is the union's (a kind missing from STEP_KINDS is a compile error in steps.ts)", () => {
    expect(STEP_KINDS.length).toBe(new Set(STEP_KINDS).size);
    expect(Object.keys(SAMPLES).sort()).toEqual([...STEP_KINDS].sort());
  });

  for (const kind of STEP_KINDS) {
    test(kind, () => {
      const sample = SAMPLES[kind];
      if (!sample) throw new Error(`no sample step of kind "${kind}" here: add one, with the kernel call that shows it was applied`);
      const sys = new FakeSys();
      sample.prepare?.(sys);
      const { ctx, log } = context(sys);
      try {
        applyStep(sample.step, ctx);
        if (sample.then) applyStep(sample.then, ctx);
      } catch (e) {
        if (!(e instanceof FakeExecve)) throw e;
      }
      if (sample.call) {
        const made = sys.of(sample.call);
        expect(made.length).toBeGreaterThan(0);
        if (sample.args) expect(made.map((c) => c.args)).toContainEqual(sample.args);
        if (sample.path) expect(made.map((c) => c.path)).toContain(sample.path);
      }
      if (sample.saw) expect(sample.saw(log)).toBeTruthy();
    });
  }

  test("a kind the applier does not know is refused, not skipped", () => {
    const { ctx } = context(new FakeSys());
    expect(() => applyStep({ kind: "teleport", concept: "process", why: "" } as unknown as Step, ctx)).toThrow('no applier for step kind "teleport"');
  });

  test("stdin-null opens the host's /dev/null read-write, before the root changes", () => {
    const sys = new FakeSys();
    applyStep(SAMPLES["stdin-null"].step, context(sys).ctx);
    expect(sys.of("open").map((c) => c.args)).toEqual([["/dev/null", O.RDWR | O.CLOEXEC, 0]]);
  });
});

describe("the container's seccomp filter (issue 17)", () => {
  const CAP_SYS_ADMIN = 1n << 21n;
  const withFilter = (noNewPrivileges: boolean) => {
    const spec = specFromFlags(flags({ command: ["sh"] }), image, host, paths).spec;
    spec.process!.noNewPrivileges = noNewPrivileges;
    return planInit(spec, { cgroups: cgroupLayoutForMounts(V2) }, { program: Buffer.alloc(16).toString("base64"), syscalls: 1, flags: 0 });
  };

  for (const nnp of [false, true]) {
    test(`${nnp ? "with" : "without"} no_new_privs: "ready" and every call of bunbox's own come first; the filter goes in with the execve, the last call`, () => {
      const sys = new FakeSys().file("/bin/sh", "file");
      const { ctx, log } = context(sys);
      let calls = -1;
      ctx.beforeExec = () => { log.beforeExecs++; calls = sys.calls.length; };
      try { applyPlan(withFilter(nnp), ctx); } catch (e) { if (!(e instanceof StepError && e.cause instanceof FakeExecve)) throw e; }
      expect(log.beforeExecs).toBe(1);
      expect(sys.calls.slice(calls).map((c) => c.call)).toEqual(["seccompExecve"]);
      expect(sys.of("seccompInstall")).toEqual([]);
      // Installing it without no_new_privs needs CAP_SYS_ADMIN: held in the last capset, not in the
      // bounding set (execve gives the program nothing beyond bounding, inheritable and ambient)
      const last = sys.of("capset").at(-1)!.args as bigint[];
      expect((last[0]! & CAP_SYS_ADMIN) !== 0n).toBe(!nnp);
      expect(sys.of("prctl").some((c) => c.args[0] === PR.CAPBSET_DROP && c.args[1] === 21)).toBe(true);
    });
  }
});
