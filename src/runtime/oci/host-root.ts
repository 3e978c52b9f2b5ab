// A container without a mount namespace has its mounts made in the host's, under one private bind
// of its root (linux/mounts.ts). runc leaves such mounts behind; bunbox counts the mounts stacked
// on the root path before create and removes those above that count (with all below them) at
// delete or on a failed create, so a bundle whose root is itself a mount point keeps it.
import { MNT_DETACH } from "../../sys/constants.ts";
import type { Sys } from "../../sys/sys.ts";
import { inRuntimeMountNs } from "../sealed-self.ts";

export interface HostRoot {
  path: string;
  /** Mounts on `path` before bunbox stacked its own. */
  mountsBefore: number;
}

/** mountinfo's mount point field escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function mountsAt(path: string, mountinfo: string): number {
  return mountinfo.split("\n").filter((line) => line && unescape(line.split(" ")[4] ?? "") === path).length;
}

/** Counted where the container's mounts are made: the mount namespace bunbox was started in. */
export function hostRootBefore(path: string, sys: Sys): HostRoot {
  return { path, mountsBefore: inRuntimeMountNs(sys, () => mountsAt(path, sys.readTextFile("/proc/thread-self/mountinfo"))) };
}

/** Lazily detaches bunbox's binds of the root (and every mount below them). */
export function removeHostRoot(root: HostRoot, sys: Sys): void {
  inRuntimeMountNs(sys, () => {
    for (let n = mountsAt(root.path, sys.readTextFile("/proc/thread-self/mountinfo")); n > root.mountsBefore; n--) {
      try { sys.umount2(root.path, MNT_DETACH); } catch { return; }
    }
  });
}
