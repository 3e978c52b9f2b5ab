// Where a container's processes live: in a child cgroup ("container") below the cgroup that carries
// its device rules, entered before the init's unshare(CLONE_NEWCGROUP), so that the container's
// cgroup namespace root is the child. Nothing a container can write then widens its own device
// rules, even with CAP_SYS_ADMIN (seen on v1 before: a remount of the devices hierarchy rw and
// `a` written to devices.allow gave it every device):
//   v1  a child's devices list never exceeds its parent's: `a` in devices.allow is EPERM
//   v2  the BPF device program is attached to the parent, which runs for the child too; the
//       parent is outside the container's cgroup namespace, so it has no fd of it to detach from
// v1 and hybrid: only the devices hierarchy has the child; the other controllers' limits stay in
// the container's own cgroup, where it reads them as before. v2 (one directory, and the rule that
// a cgroup with children holds no processes): every process is in the child; the limits are the
// parent's, which bound the whole subtree whatever the child's files say, and are mirrored into
// the child, where the container reads them in its /sys/fs/cgroup (and cannot change them where
// cgroup2 is mounted nsdelegate, as systemd mounts it: the kernel refuses writes to a cgroup
// namespace's root files). Stats and OOM counts are the parent's (hierarchical); cgroup.procs and
// the freezer are the child's.
import { existsSync, rmdirSync } from "../sys/files.ts";
import type { CgroupHost, Hierarchy } from "./layout.ts";
import type { PlannedWrite } from "./driver.ts";

export const LEAF = "container";
/**
 * v2: where exec's stage waits while a container holding CAP_SYS_PTRACE is frozen for the stage's
 * start-up: under the parent's device program and limits, outside the frozen child.
 */
export const EXEC_STAGING = ".exec";

/** Does the container get the child in this hierarchy? */
export function nestsIn(h: Hierarchy, mode: CgroupHost["mode"]): boolean {
  return h.version === 1 ? h.controllers.includes("devices") : mode === "v2";
}

/** The children of the container's `dirs` that hold its processes (for --explain). */
export function leavesOf(host: CgroupHost, dirs: string[]): string[] {
  return dirs.filter((d) => host.hierarchies.some((h) => d.includes(`${h.mountpoint}/`) && nestsIn(h, host.mode))).map((d) => `${d}/${LEAF}`);
}

/**
 * Where the processes of the container whose cgroup is `dir` are: the child when it has one. Found
 * on disk, so a container made before the nesting (no child) is still joined where it runs.
 */
export function processDir(dir: string): string {
  return existsSync(`${dir}/${LEAF}`) ? `${dir}/${LEAF}` : dir;
}

/** The container's directories with the children bunbox makes in them first (rmdir order). */
export function childrenFirst(dirs: string[]): string[] {
  return dirs.flatMap((d) => [`${d}/${EXEC_STAGING}`, `${d}/${LEAF}`, d]);
}

/** rmdir of a container's cgroup and bunbox's children in it; a missing child is fine. */
export function rmdirNested(dir: string): void {
  for (const d of childrenFirst([dir])) {
    try {
      rmdirSync(d);
    } catch (e) {
      if (d === dir || (e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}

/** v2: the parent's limit files again, for the child (the device program stays the parent's alone). */
export function mirrored(writes: PlannedWrite[], leaf: string): PlannedWrite[] {
  return writes.filter((w) => !w.program).map((w) => ({ ...w, dir: leaf, why: `${w.why}, shown in the container's own cgroup` }));
}
