// User namespaces: the id mappings, and the steps an init takes to enter one.
//
// Order matters, and the kernel decides it. The parent (multithreaded, in the host's user
// namespace) makes the pid namespace, so that one belongs to the host's user namespace: a /proc of
// it can be mounted only with the host's CAP_SYS_ADMIN. And an idmapped mount (MOUNT_ATTR_IDMAP)
// needs CAP_SYS_ADMIN over the filesystem's own namespace, the host's. So the init stage first
// works as host root in a mount namespace of its own (the image's layers idmapped under the
// overlay, /proc), then joins the user namespace, and only then makes its other namespaces, which
// the user namespace then owns (sysfs of its network, mqueue of its IPC, the cgroup view).
import { CLONE, MS } from "../../sys/constants.ts";
import type { Step } from "../steps.ts";
import { planMount, type Overlay, type OciMount, type CgroupLayout } from "../mounts/plan.ts";

import type { IdMapping } from "../../config/userns-mode.ts";
export type { IdMapping };

/** The text written to /proc/<pid>/uid_map or gid_map: one "inside outside count" line each. */
export function idMapText(maps: IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

/** "container 0-65535 = host 100000-165535", for --explain and errors. */
export function describeIdMap(maps: IdMapping[]): string {
  const range = (from: number, size: number) => (size === 1 ? `${from}` : `${from}-${from + size - 1}`);
  return maps.map((m) => `container ${range(m.containerID, m.size)} = host ${range(m.hostID, m.size)}`).join(", ");
}

/** The host id that container id `id` maps to, if it is mapped at all. */
export function hostIdOf(maps: IdMapping[], id: number): number | undefined {
  const m = maps.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m && m.hostID + (id - m.containerID);
}

export interface UserNamespaceInput {
  /** The user namespace to join: given by path (OCI), or the one the parent made (/proc/<pid>/ns/user). */
  path: string;
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
  /** The container has a mount namespace; its root is at `rootfs` (an overlay of image layers in `run`). */
  mount?: {
    rootfs: string;
    overlay?: Overlay;
    /** What must be mounted as the host's root (hostSideMounts): /proc, binds of host paths. */
    onHost: OciMount[];
    cgroups: CgroupLayout;
  };
}

/**
 * The spec's mounts the host side makes: /proc (its pid namespace is the host's user namespace's),
 * and binds, whose sources lie in directories the user namespace's root may not search
 * (/var/lib/bunbox is 0700). Not binds under another mount's target (made later, it would hide
 * them), nor binds from /dev (device nodes, reachable from inside).
 */
/**
 * sysfs may only be mounted by the user namespace that owns the network namespace: a container
 * with a user namespace and the host's network gets the host's /sys bound instead (with the
 * mount's options, read-only as asked), as runc does; a new sysfs would fail with EPERM.
 */
export function sysfsAsBind(mounts: OciMount[]): OciMount[] {
  return mounts.map((m) => m.type !== "sysfs" ? m : {
    ...m, type: "bind", source: "/sys",
    // Not recursive: the host's own mounts below /sys (its whole cgroup tree…) stay out; the spec's
    // later mounts there (its cgroup view) are made as usual
    options: ["bind", ...(m.options ?? []).filter((o) => o !== "bind" && o !== "rbind")],
  });
}

export function hostSideMounts(mounts: OciMount[]): OciMount[] {
  const isBind = (m: OciMount) => m.type === "bind" || (m.options ?? []).some((o) => o === "bind" || o === "rbind");
  const under = (path: string, dir: string) => path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
  const others = mounts.filter((m) => !isBind(m) && m.type !== "proc");
  return mounts.filter((m) => m.type === "proc" || (isBind(m) && !(m.source ?? "").startsWith("/dev/") && !others.some((o) => under(m.destination, o.destination))));
}

/**
 * The host-side steps (before joining) and the join itself. Everything here runs as the host's
 * root; what comes after runs as the user namespace's root.
 */
export function planEnterUserNamespace(input: UserNamespaceInput): Step[] {
  const fs = "filesystem" as const;
  const steps: Step[] = [];
  const m = input.mount;
  if (m) {
    steps.push(
      { kind: "unshare", flags: CLONE.NEWNS, concept: "namespaces", why: "a mount namespace of the host's user namespace, for the mounts only the host's root may make" },
      { kind: "propagation", target: "/", flags: MS.REC | MS.PRIVATE, concept: fs, why: "no mount event leaks between host and container" },
    );
    const o = m.overlay;
    if (o?.mapped) {
      steps.push({
        kind: "mount", source: "overlay", target: m.rootfs, where: "host", fstype: "overlay", flags: 0,
        data: `lowerdir=${o.lower},upperdir=${o.upper},workdir=${o.work}${o.volatile ? ",volatile" : ""}`, create: "dir", concept: fs,
        why: "copy-on-write root over copies of the image's layers with mapped ids (their filesystem cannot be idmapped)",
      });
    } else if (o) {
      steps.push({
        kind: "idmapped-overlay", target: m.rootfs, lower: o.lower.split(":"), upper: o.upper, work: o.work,
        volatile: o.volatile ?? false, userns: input.path, stage: `${o.upper.slice(0, o.upper.lastIndexOf("/"))}/lower-idmapped`, concept: fs,
        why: "the image's layers seen through the id mapping (MOUNT_ATTR_IDMAP), so the image needs no chown; the container's own layer holds host ids",
      });
    }
    steps.push({ kind: "check-not-symlink", paths: ["/proc", "/sys", "/dev"], concept: fs, why: "a symlinked /proc, /sys or /dev in the image could redirect mounts to the host" });
    for (const mount of m.onHost) {
      const why = mount.type === "proc" ? "now: the pid namespace belongs to the host's user namespace" : "now: its source is out of the user namespace's reach";
      steps.push(...planMount(mount, m.cgroups).map((st) => ({ ...st, why: `${st.why}, mounted ${why}` })));
    }
    steps.push({ kind: "chdir", path: m.rootfs, concept: fs, why: "hold the root as the working directory: the user namespace's root reaches it from there" });
  }
  const maps = input.uidMappings.length ? `: uid ${describeIdMap(input.uidMappings)}; gid ${describeIdMap(input.gidMappings)}` : " given by path";
  steps.push({ kind: "join-user", path: input.path, concept: "namespaces", why: `the container's user namespace${maps}; root in it is an unprivileged user on the host` });
  return steps;
}

