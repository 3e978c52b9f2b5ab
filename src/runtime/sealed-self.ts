// CVE-2019-5736: a container whose program is /proc/self/exe (or a script with that
// interpreter) makes the init stage run the bunbox binary itself inside the container, and could
// later reopen it for writing through the magic link. runc's defence, done the cheap way: the
// stages are started through a read-only bind mount of the binary, made in a private mount
// namespace of this process's main thread, so any reopen of that exe for writing fails (EROFS)
// even after every bunbox process has exited.
import { CLONE, MS, O } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import { SysError } from "../sys/errno.ts";
import { RuntimeError } from "./errors.ts";

let sealed = false;
let runtimeNs = -1;

/**
 * The mount namespace bunbox was started in, which its main thread leaves when sealing: a
 * container whose spec lists no mount namespace shares this one (the init joins it by path).
 */
export function runtimeMountNsPath(sys: Sys): string {
  if (runtimeNs < 0) runtimeNs = sys.open("/proc/thread-self/ns/mnt", O.RDONLY | O.CLOEXEC);
  return `/proc/${process.pid}/fd/${runtimeNs}`;
}

export function sealSelfExe(sys: Sys): void {
  if (sealed) return;
  runtimeMountNsPath(sys);
  const exe = process.execPath;
  // Only the main thread moves; slave propagation: host mounts still show, nothing flows back
  try {
    sys.unshare(CLONE.NEWNS);
  } catch (e) {
    if (e instanceof SysError && e.code === "EPERM") throw new RuntimeError("creating containers needs root (unshare: EPERM): run bunbox as root", 125);
    throw e;
  }
  sys.mount(null, "/", null, MS.REC | MS.SLAVE, null);
  sys.mount(exe, exe, null, MS.BIND, null);
  sys.mount(null, exe, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV, null);
  sealed = true;
}

/**
 * Runs `fn` with the main thread back in the mount namespace bunbox was started in (a sealed one
 * sees the host's mounts as a slave copy: unmounting there would leave the host's in place).
 */
export function inRuntimeMountNs<T>(sys: Sys, fn: () => T): T {
  if (!sealed) return fn();
  const current = sys.open("/proc/thread-self/ns/mnt", O.RDONLY | O.CLOEXEC);
  try {
    // setns into a mount namespace needs an fs_struct of the thread's own (EINVAL otherwise):
    // threads Bun started since sealing share the main thread's
    sys.unshare(CLONE.FS);
    sys.setns(runtimeNs, CLONE.NEWNS, "the runtime's mount namespace");
    try { return fn(); } finally { sys.setns(current, CLONE.NEWNS, "bunbox's sealed mount namespace"); }
  } finally {
    sys.close(current);
  }
}
