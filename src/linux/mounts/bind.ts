// A bind mount as one object from end to end (the "bind" step): the source is opened without
// following symlinks, cloned while detached, given its attributes there, and attached onto the
// target that was resolved inside the root. Neither path is looked up twice, so a container
// that shares the parent volume and swaps a component (renameat2 RENAME_EXCHANGE) cannot move
// the read-only remount onto another directory, or put a symlink to the host's / in the source.
import type { Step } from "../steps.ts";
import { mountAttrs, propagationAttr } from "./attr.ts";
import { MS } from "../../sys/constants.ts";
import { SysError } from "../../sys/errno.ts";
import type { Create } from "./inroot.ts";

type BindStep = Extract<Step, { kind: "bind" }>;

/** The kernel calls a bind needs, as parameters (the unit tests pass a recording fake). */
export interface BindKernel {
  /** O_PATH fd of a host path, no symlink followed anywhere in it (openat2 RESOLVE_NO_SYMLINKS). */
  openSource(path: string): number;
  isDirectory(fd: number): boolean;
  /** O_PATH fd of the target, resolved (and made) inside the container's root. */
  openTarget(path: string, create: Create): number;
  openTreeClone(fd: number, recursive: boolean): number;
  mountSetattr(fd: number, set: number, clear: number, propagation: number, recursive: boolean): void;
  moveMount(from: number, to: number): void;
  /** mount(2) on the object behind fd (its /proc/self/fd magic link): the fallback's remount. */
  mountFd(fd: number, flags: number): void;
  close(fd: number): void;
}

const ENOTDIR = 20, ELOOP = 40;

export function applyBind(step: BindStep, k: BindKernel): void {
  let source: number;
  try {
    source = k.openSource(step.source);
  } catch (e) {
    if (e instanceof SysError && e.errno === ELOOP) {
      throw new SysError("openat2", ELOOP, `${step.source} (a bind source is opened without following symlinks, so that one swapped into its path cannot reach another host path: give the resolved path, readlink -f)`);
    }
    throw e;
  }
  try {
    const tree = openTree(step, source, k);
    try {
      const attrsSet = setAttributes(step, tree, k);
      const dir = k.isDirectory(source);
      const target = k.openTarget(step.target, dir ? "dir" : "file");
      try {
        // move_mount says only EINVAL for a file onto a directory (or back): say what mount(2) said, ENOTDIR
        if (k.isDirectory(target) !== dir) throw new SysError("move_mount", ENOTDIR, named(step));
        try {
          k.moveMount(tree, target);
        } catch (e) {
          if (e instanceof SysError) throw new SysError(e.syscall, e.errno, named(step));
          throw e;
        }
      } finally {
        k.close(target);
      }
      // Linux 5.2 to 5.11 (no mount_setattr): the attributes through the attached mount's own fd,
      // which still names exactly the mount just attached (never a path looked up again)
      if (!attrsSet) remountByFd(step, tree, k);
    } finally {
      k.close(tree);
    }
  } finally {
    k.close(source);
  }
}

/** What the user asked for, in the user's words: the host source and the container path (not bunbox's own host path to it). */
function named(step: BindStep): string {
  return `${step.source} on ${step.target}`;
}

/**
 * Refused, not done the old way, where open_tree is missing: bunbox needs openat2 (Linux 5.6),
 * which every kernel with open_tree (5.2) has, so only a filter in front of bunbox (an older
 * container runtime's seccomp profile) can say ENOSYS here.
 */
function openTree(step: BindStep, source: number, k: BindKernel): number {
  try {
    return k.openTreeClone(source, step.recursive);
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOSYS") {
      throw new SysError("open_tree", e.errno, `${step.source} (bind mounts need the mount API of Linux 5.2: a bind made by path could be redirected)`);
    }
    throw e;
  }
}

/** mount_setattr on the detached tree; false when the kernel lacks it (ENOSYS). */
function setAttributes(step: BindStep, tree: number, k: BindKernel): boolean {
  const attrs = mountAttrs(step.flags);
  const prop = propagationAttr(step.propagation);
  try {
    if (attrs.set || attrs.clear) {
      // With the tree's recursion: every submount of an rbind is read-only too (Docker 25's
      // recursive read-only), where MS_REMOUNT changed the top mount only
      const together = prop.type !== 0 && prop.recursive === step.recursive;
      k.mountSetattr(tree, attrs.set, attrs.clear, together ? prop.type : 0, step.recursive);
      if (prop.type && !together) k.mountSetattr(tree, 0, 0, prop.type, prop.recursive);
    } else if (prop.type) {
      k.mountSetattr(tree, 0, 0, prop.type, prop.recursive);
    }
    return true;
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOSYS") return false;
    throw e;
  }
}

function remountByFd(step: BindStep, tree: number, k: BindKernel): void {
  if (step.flags) k.mountFd(tree, MS.BIND | MS.REMOUNT | step.flags);
  if (step.propagation) k.mountFd(tree, step.propagation);
}
