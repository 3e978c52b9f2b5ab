// The container's filesystem as steps: private propagation, the overlay root, the spec's mounts
// (with "cgroup" expanded for the host's layout), /dev nodes, pivot_root, masks.
import { MS } from "../../sys/constants.ts";
import { parseMountOptions } from "./options.ts";
import { BIND_FLAGS } from "./attr.ts";
import type { Step } from "../steps.ts";
import { planDevices } from "../devices/plan.ts";

export interface OciMount { destination: string; type?: string; source?: string; options?: string[] }

/**
 * volatile: overlayfs skips every sync of the upper layer, including the syncfs of the whole
 * upper filesystem it does when the container's last mount of it goes away (Linux 5.10+).
 */
export interface Overlay {
  lower: string; upper: string; work: string; volatile?: boolean;
  /** The lower layers are copies whose ids are already the user namespace's host ids (user-namespace.ts). */
  mapped?: boolean;
}

/** The host's cgroup hierarchies: what a "cgroup" mount expands to inside the container. */
export interface CgroupLayout {
  unified: boolean;
  /** v1 hierarchies: directory name under /sys/fs/cgroup and mount data ("memory", "name=systemd"). */
  v1: { dir: string; options: string }[];
  /** Where cgroup2 lives on a hybrid host ("unified"), or "" on pure v2. */
  unifiedDir: string;
}

export interface FilesystemInput {
  rootfs: string;
  /** The host has /proc/kcore: /dev/core links to it (devices.ts). */
  kcore?: boolean;
  readonly: boolean;
  propagation?: string;
  overlay?: Overlay;
  mounts: OciMount[];
  cgroups: CgroupLayout;
  /** Docker's default /dev nodes unless the spec's /dev is a bind from the host. */
  defaultDevices: boolean;
  maskedPaths: string[];
  readonlyPaths: string[];
  /** Terminal: /dev/console gets bound to the pty's slave by the init stage. */
  terminal: boolean;
  /**
   * In a user namespace (user-namespace.ts): the overlay and /proc are already mounted, by the
   * host's root before joining; the root is bound onto itself (pivot_root refuses the locked mount
   * it now is), and device nodes are the host's, bound (mknod is refused there).
   */
  userns?: boolean;
  /** In a user namespace: the spec's mounts already made on the host side (user-namespace.ts). */
  doneOnHost?: OciMount[];
  /**
   * No mount namespace (the spec lists none): the mounts are made in the host's, under one
   * private bind of the root (removed whole, with all below it, at delete), and the process is
   * chrooted there, as runc does.
   */
  hostNamespace?: boolean;
}

const PROPAGATIONS: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};

export function planFilesystem(input: FilesystemInput): Step[] {
  const fs = "filesystem" as const;
  const steps: Step[] = input.hostNamespace ? [] : [
    { kind: "propagation", target: "/", flags: MS.REC | MS.PRIVATE, concept: fs, why: "no mount event leaks between host and container" },
  ];
  if (input.userns) {
    steps.push({ kind: "rebind-root", concept: fs, why: "the root bound onto itself from the working directory: pivot_root refuses the locked mount the host side left, and bunbox's 0700 directories above it are closed to the user namespace's root" });
  } else if (input.hostNamespace) {
    steps.push(
      { kind: "mount", source: input.rootfs, target: input.rootfs, where: "host", fstype: "", flags: MS.BIND | MS.REC, data: "", create: "dir", concept: fs, why: "no mount namespace: the container's mounts go under this one mount, removed whole at delete" },
      { kind: "mount", source: "none", target: input.rootfs, where: "host", fstype: "", flags: MS.PRIVATE, data: "", create: "dir", concept: fs, why: "private: the mounts below it do not propagate to the host's other mount namespaces" },
    );
  } else if (input.overlay) {
    const o = input.overlay;
    steps.push({
      kind: "mount", source: "overlay", target: input.rootfs, where: "host", fstype: "overlay", flags: 0,
      data: `lowerdir=${o.lower},upperdir=${o.upper},workdir=${o.work}${o.volatile ? ",volatile" : ""}`, create: "dir",
      concept: fs, why: "copy-on-write root: read-only image below, the container's own layer above",
    });
  } else {
    steps.push({
      kind: "mount", source: input.rootfs, target: input.rootfs, where: "host", fstype: "", flags: MS.BIND | MS.REC,
      data: "", create: "dir", concept: fs, why: "pivot_root needs the new root to be a mount point",
    });
  }
  steps.push({ kind: "check-not-symlink", paths: ["/proc", "/sys", "/dev"], concept: fs, why: "a symlinked /proc, /sys or /dev in the image could redirect mounts to the host" });
  for (const m of input.mounts) if (!input.doneOnHost?.includes(m)) steps.push(...planMount(m, input.cgroups));
  if (input.defaultDevices) steps.push(...planDevices(input.kcore !== false, input.userns));
  steps.push(input.hostNamespace
    ? { kind: "pivot-root", rootfs: input.rootfs, chroot: true, concept: fs, why: "no mount namespace to pivot in: chroot into the image, as runc does" }
    : { kind: "pivot-root", rootfs: input.rootfs, concept: fs, why: "make the image the root; the host's tree is detached, not just hidden (no chroot)" });
  return steps;
}

/** After pivot_root and sysctl writes (which need /proc/sys writable): masks, read-only paths, read-only root. */
export function planFinishFilesystem(input: Pick<FilesystemInput, "maskedPaths" | "readonlyPaths" | "readonly" | "propagation">): Step[] {
  const steps: Step[] = [];
  for (const path of input.readonlyPaths) steps.push({ kind: "readonly", path, concept: "security", why: "kernel knobs stay read-only" });
  for (const path of input.maskedPaths) steps.push({ kind: "mask", path, concept: "security", why: "hide host kernel information" });
  if (input.readonly) {
    steps.push({ kind: "remount", target: "/", where: "container", flags: MS.BIND | MS.REMOUNT | MS.RDONLY, concept: "filesystem", why: "--read-only root filesystem" });
  }
  const prop = PROPAGATIONS[input.propagation ?? ""];
  if (prop && prop !== (MS.PRIVATE | MS.REC)) {
    steps.push({ kind: "propagation", target: "/", flags: prop, concept: "filesystem", why: `rootfsPropagation ${input.propagation}` });
  }
  return steps;
}

export function planMount(m: OciMount, cgroups: CgroupLayout): Step[] {
  const type = m.type ?? (m.options?.some((o) => o === "bind" || o === "rbind") ? "bind" : "");
  if (type === "cgroup" || type === "cgroup2") return planCgroupMount(m, cgroups);
  const o = parseMountOptions(m.options);
  const fs = "filesystem" as const;
  if (o.bind || type === "bind") {
    // One step, not a bind then a remount that each resolve the target again (issue 14: a
    // container sharing the parent volume swapped a component in between, and the volume stayed
    // writable); the source is never followed through a symlink (one swapped in showed the
    // host's / at the target)
    const asked = m.options?.filter((x) => !/bind|private|shared|slave/.test(x)) ?? [];
    return [{
      kind: "bind", source: m.source ?? "", target: m.destination, recursive: (o.flags & MS.REC) !== 0,
      flags: o.flags & BIND_FLAGS, propagation: o.propagation, concept: fs,
      why: `${describeMount(m.destination, "bind", m.source)}${asked.length ? ` (${asked.join(",")})` : ""}`,
    }];
  }
  const steps: Step[] = [{
    kind: "mount", source: m.source ?? type, target: m.destination, where: "rootfs",
    fstype: type, flags: o.flags & ~MS.REMOUNT, data: o.data.join(","), create: "dir", concept: fs, why: describeMount(m.destination, type, m.source),
  }];
  if (o.propagation) steps.push({ kind: "propagation", target: m.destination, flags: o.propagation, concept: fs, why: `${m.destination}: mount propagation` });
  return steps;
}

function planCgroupMount(m: OciMount, cg: CgroupLayout): Step[] {
  const fs = "filesystem" as const;
  const ro = parseMountOptions(m.options).flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
  const why = "the container's own cgroup, seen at / through its cgroup namespace";
  if (cg.v1.length === 0) {
    return [{ kind: "mount", source: "cgroup", target: m.destination, where: "rootfs", fstype: "cgroup2", flags: ro, data: "", create: "dir", concept: fs, why }];
  }
  const steps: Step[] = [
    { kind: "mount", source: "tmpfs", target: m.destination, where: "rootfs", fstype: "tmpfs", flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, data: "mode=755", create: "dir", concept: fs, why: "holds one mount per v1 cgroup hierarchy" },
  ];
  for (const { dir, options } of cg.v1) {
    steps.push({ kind: "mount", source: "cgroup", target: `${m.destination}/${dir}`, where: "rootfs", fstype: "cgroup", flags: ro, data: options, create: "dir", concept: fs, why: `v1 ${options} hierarchy, ${why}` });
    if (dir.includes(",")) for (const alias of dir.split(",")) {
      steps.push({ kind: "symlink", path: `${m.destination}/${alias}`, target: dir, concept: fs, why: `${alias} is co-mounted with ${dir}` });
    }
  }
  if (cg.unified && cg.unifiedDir) {
    steps.push({ kind: "mount", source: "cgroup2", target: `${m.destination}/${cg.unifiedDir}`, where: "rootfs", fstype: "cgroup2", flags: ro, data: "", create: "dir", concept: fs, why: "the unified (v2) hierarchy of a hybrid host" });
  }
  if (ro & MS.RDONLY) steps.push({ kind: "remount", target: m.destination, where: "rootfs", flags: MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, concept: fs, why: "cgroup tree read-only" });
  return steps;
}

function describeMount(dest: string, type: string, source?: string): string {
  switch (type) {
    case "proc": return "the container's own process list (its pid namespace)";
    case "sysfs": return "kernel objects, read-only";
    case "devpts": return "a private pty instance: no access to the host's terminals";
    case "mqueue": return "POSIX message queues of its IPC namespace";
    case "tmpfs": return dest === "/dev" ? "an empty /dev: only the nodes bunbox creates" : `${dest} in memory`;
    case "bind": return `${source} from the host at ${dest}`;
    default: return `${type} at ${dest}`;
  }
}
