// CVE-2019-5736: a container whose program is /proc/self/exe (or a script with that
// interpreter) makes the init stage run the bunbox binary itself inside the container, and could
// later reopen it for writing through the magic link. runc's defence, done the cheap way: the
// stages are started through a read-only bind mount of the binary, made in a private mount
// namespace of this process's main thread, so any reopen of that exe for writing fails (EROFS)
// even after every bunbox process has exited.
import { CLONE, MS } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import { SysError } from "../sys/errno.ts";
import { RuntimeError } from "./errors.ts";

let sealed = false;

export function sealSelfExe(sys: Sys): void {
  if (sealed) return;
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
