// spec → the ordered list of steps the init stage applies. Pure: host facts come in as data.
import type { Step } from "../linux/steps.ts";
import { planUnshare, NS_FLAGS } from "../linux/namespaces/plan.ts";
import { planFilesystem, planFinishFilesystem, type CgroupLayout } from "../linux/mounts/plan.ts";
import { planKeyring, planRlimits, planSession } from "../linux/process/plan.ts";
import { planPrivilegeDrop } from "../linux/process/privileges.ts";
import { planAppArmor } from "../linux/apparmor/plan.ts";
import { bunboxSettings } from "../config/annotations.ts";
import { planEnterUserNamespace, hostSideMounts, sysfsAsBind, type IdMapping } from "../linux/namespaces/user.ts";
import { deviceNode } from "../linux/devices/plan.ts";
import type { Spec } from "../config/schema.ts";

export interface HostFacts {
  cgroups: CgroupLayout;
  /** The host has /proc/kcore (CONFIG_PROC_KCORE): runc links /dev/core to it only then. Default true. */
  kcore?: boolean;
  /** A path to the mount namespace bunbox runs in, which a spec without one shares (sealed-self.ts). */
  runtimeMountNs?: string;
}

export interface PlanOptions {
  /** OCI --console-socket: the stage opens the pty inside the container and sends its master. */
  console?: boolean;
  /**
   * An attached `run`: the container is killed when the bunbox that runs it dies (kill -9), since
   * nothing else copies its output, forwards signals or records its end (see README).
   */
  dieWithParent?: boolean;
}

/**
 * A new user namespace is made by the parent (a helper stage unshares it, the parent writes its
 * mappings: runtime/user-namespace.ts), which fills in its path before planning; --explain, which
 * makes none, shows this instead.
 */
export const USERNS_BY_PARENT = "/proc/<bunbox-userns>/ns/user";

/** Namespaces given by path (OCI `path`): joined with setns before the others are made. */
function planJoin(namespaces: { type: string; path?: string }[]): Step[] {
  const order = ["ipc", "uts", "network", "cgroup", "time", "mount"];
  const join = namespaces
    .filter((n) => n.path && n.type !== "pid" && n.type !== "user")
    .sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type))
    .map((n) => ({ type: n.type, path: n.path!, nstype: NS_FLAGS[n.type]! }));
  if (join.length === 0) return [];
  // create sets up its own root in a joined mount namespace (exec finds one there)
  return [{ kind: "join-namespaces", namespaces: join, keepsRoot: true, concept: "namespaces", why: `join ${join.map((n) => n.type).join(", ")} namespace${join.length > 1 ? "s" : ""} given by path` }];
}

export function planInit(spec: Spec, host: HostFacts, seccomp?: { program: string; syscalls: number; flags: number }, opts: PlanOptions = {}): Step[] {
  const linux = spec.linux ?? {};
  const namespaces = (linux.namespaces ?? []) as { type: string; path?: string }[];
  const has = (t: string) => namespaces.some((n) => n.type === t);
  const process = spec.process!;
  const userNs = namespaces.find((n) => n.type === "user");
  const settings = bunboxSettings(spec.annotations);
  const overlay = settings.overlay;
  const steps: Step[] = [];
  const mounts = userNs && !has("network") ? sysfsAsBind(spec.mounts ?? []) : spec.mounts ?? [];
  const onHost = userNs && has("mount") ? hostSideMounts(mounts) : [];
  if (userNs) {
    // Raising a hard limit needs CAP_SYS_RESOURCE of the host's user namespace: before joining
    steps.push(...planRlimits(process.rlimits as never));
    steps.push(...planEnterUserNamespace({
      path: userNs.path ?? USERNS_BY_PARENT,
      uidMappings: (linux.uidMappings ?? []) as IdMapping[], gidMappings: (linux.gidMappings ?? []) as IdMapping[],
      mount: has("mount") ? { rootfs: spec.root!.path, overlay, onHost, cgroups: host.cgroups } : undefined,
    }));
  }
  // No mount namespace: the one bunbox was started in, not the private one its main thread is in
  const joins = has("mount") || !host.runtimeMountNs ? namespaces : [...namespaces, { type: "mount", path: host.runtimeMountNs }];
  steps.push(...planJoin(joins), ...planUnshare(namespaces));
  let fsInput: Parameters<typeof planFinishFilesystem>[0] | undefined;

  // Without a mount namespace the root is still the image (chroot, mounts.ts), as runc does
  if (spec.root) {
    steps.push(...planFilesystem(fsInput = {
      hostNamespace: !has("mount"),
      rootfs: spec.root!.path,
      readonly: spec.root?.readonly ?? false,
      propagation: linux.rootfsPropagation,
      overlay,
      mounts,
      cgroups: host.cgroups,
      defaultDevices: !(spec.mounts ?? []).some((m) => m.destination === "/dev" && m.type === "bind"),
      kcore: host.kcore !== false,
      maskedPaths: linux.maskedPaths ?? [],
      readonlyPaths: linux.readonlyPaths ?? [],
      terminal: process.terminal ?? false,
      userns: userNs !== undefined,
      doneOnHost: onHost,
    }));
  }
  // The spec's device nodes (docker run --device, --privileged's host devices), in the container's /dev
  const devices = (linux.devices ?? []) as { path: string; type: string; major?: number; minor?: number; fileMode?: number; uid?: number; gid?: number }[];
  if (devices.length && fsInput) {
    const at = steps.findIndex((st) => st.kind === "pivot-root");
    const nodes: Step[] = devices.map((d) => deviceNode({
      path: d.path, type: d.type === "b" ? "b" : d.type === "p" ? "p" : "c", major: d.major ?? 0, minor: d.minor ?? 0,
      mode: (d.fileMode ?? 0o666) & 0o7777, uid: d.uid ?? 0, gid: d.gid ?? 0,
    }, `device ${d.path} (${d.major ?? 0}:${d.minor ?? 0}) from the spec`, userNs !== undefined));
    if (at >= 0) steps.splice(at, 0, ...nodes);
    else steps.push(...nodes);
  }
  if (has("uts") && spec.hostname) steps.push({ kind: "hostname", name: spec.hostname, concept: "namespaces", why: "the container's own hostname (UTS namespace)" });
  if (has("uts") && spec.domainname) steps.push({ kind: "domainname", name: spec.domainname, concept: "namespaces", why: "the container's own domain name" });
  if (has("network") && !namespaces.find((n) => n.type === "network")?.path) {
    steps.push({ kind: "interface-up", name: "lo", concept: "network", why: "loopback up in the empty network namespace" });
  }
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) {
    steps.push({ kind: "sysctl", key, value: String(value), concept: "namespaces", why: `sysctl ${key}` });
  }
  // OCI hooks of the create phase run with the root set up but before pivot_root: the runtime's
  // (prestart, createRuntime) in the parent, createContainer ones here in the container's namespaces
  const hooks = spec.hooks;
  if (hooks?.prestart?.length || hooks?.createRuntime?.length || hooks?.createContainer?.length) {
    const at = steps.findIndex((s) => s.kind === "pivot-root");
    const step: Step = { kind: "create-hooks", hooks: (hooks.createContainer ?? []) as never, concept: "process", why: "OCI hooks of the create phase, before pivot_root" };
    if (at >= 0) steps.splice(at, 0, step);
    else steps.push(step);
  }
  // Docker makes a missing working directory in the container's layer, so --read-only -w /nope
  // works: made here, while the root is still writable (the chdir below then finds it)
  if (fsInput?.readonly && (process.cwd ?? "/") !== "/") {
    steps.push({ kind: "chdir", path: process.cwd!, create: true, concept: "process", why: "the working directory, made before the root goes read-only" });
  }
  if (fsInput) steps.push(...planFinishFilesystem(fsInput));
  if (process.terminal && opts.console) {
    const { uid = 0, gid = 0 } = process.user ?? {};
    steps.push({ kind: "console", uid, gid, concept: "process", why: "a pty of the container's own devpts: the slave is 0-2, the master goes to the console socket" });
  }
  if (!userNs) steps.push(...planRlimits(process.rlimits as never));
  // The AppArmor profile goes in before the seccomp filter and no_new_privs: it is a write to
  // /proc (open, fstatfs, write) that a user's filter may refuse, and that no_new_privs would
  // restrict if bunbox itself were confined. It takes effect at execve, or at once where this
  // stage becomes the program and must die with its bunbox (linux/apparmor/plan.ts says why;
  // with --init this stage stays PID 1, never execs, and keeps its parent-death signal).
  steps.push(...planAppArmor(process.apparmorProfile, undefined, !!opts.dieWithParent && !settings.init));
  const filter: Step | undefined = seccomp && {
    kind: "seccomp", program: seccomp.program, syscalls: seccomp.syscalls, flags: seccomp.flags, concept: "security",
    why: `system call filter: ${seccomp.syscalls} syscalls allowed, others refused`,
  };
  steps.push(planKeyring(), planSession(process.terminal));
  steps.push({ kind: "chdir", path: process.cwd ?? "/", create: true, concept: "process", why: "working directory" });
  steps.push(...planPrivilegeDrop({
    user: process.user ?? { uid: 0, gid: 0 }, capabilities: process.capabilities, noNewPrivileges: process.noNewPrivileges, filter,
    // a change of uid or gid clears the parent-death signal
    afterUser: opts.dieWithParent ? [{ kind: "parent-death-signal", signal: 9, concept: "process", why: "killed if the bunbox running it dies: nothing else would copy its output or record its end" }] : [],
    beforeFilter: settings.stdinNull && !process.terminal ? [{ kind: "stdin-null", concept: "process", why: "no -i: stdin is /dev/null, as with docker run" }] : [],
  }));
  if (settings.init) {
    steps.push({ kind: "exec", args: process.args ?? [], env: process.env ?? [], init: true, concept: "process", why: "--init: start the program as a child; this stage stays PID 1, passing signals on and reaping orphans" });
  } else {
    steps.push({ kind: "exec", args: process.args ?? [], env: process.env ?? [], concept: "process", why: "become the user's program: it is now PID 1" });
  }
  return steps;
}
