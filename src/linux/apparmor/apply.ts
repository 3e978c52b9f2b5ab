// The "apparmor" step: ask the kernel to enter a profile at the next execve, by writing
// "exec PROFILE" to this thread's attr/apparmor/exec (attr/exec before Linux 5.8), or at once,
// by writing "changeprofile PROFILE" to attr/apparmor/current (attr/current). The file is
// reached through the container's /proc, which a hostile image or a running container could fake
// (a tmpfs with a file of that name: the write "succeeds" and the program runs unconfined,
// CVE-2019-16884). So: /proc must be procfs, the path below it must not cross a mount (a bind
// over the attr file), and the opened file must be on procfs too.
import { AT, O, RESOLVE, PROC_SUPER_MAGIC } from "../../sys/constants.ts";
import type { Sys } from "../../sys/sys.ts";
import { SysError } from "../../sys/errno.ts";

/** The calls it makes, so that a test can play a host with or without AppArmor, or a fake /proc. */
export interface ProcAttrIO {
  /** An O_PATH fd of the directory `path`. */
  openDir(path: string): number;
  /** Opens `path` below `dirfd` for writing without crossing a mount point. */
  openBelow(dirfd: number, path: string): number;
  fstatfsType(fd: number): number;
  write(fd: number, data: string): void;
  close(fd: number): void;
}

// thread-self, not self: the attribute belongs to a thread, and it is this one that calls execve
const ATTRS = {
  exec: { attr: "thread-self/attr/apparmor/exec", legacy: "thread-self/attr/exec", command: "exec" },
  now: { attr: "thread-self/attr/apparmor/current", legacy: "thread-self/attr/current", command: "changeprofile" },
};

/** Enters `profile` at the next execve, or with `now`, at once (this thread only). */
export function setExecProfile(profile: string, io: ProcAttrIO, now = false): void {
  const { attr: ATTR, legacy: LEGACY_ATTR, command } = ATTRS[now ? "now" : "exec"];
  const proc = io.openDir("/proc");
  try {
    if (io.fstatfsType(proc) !== PROC_SUPER_MAGIC) throw new SysError("fstatfs", 22, "/proc is not procfs: refusing to write the AppArmor profile there");
    let path = ATTR, fd: number;
    try {
      fd = io.openBelow(proc, ATTR);
    } catch (e) {
      // Before Linux 5.8 there is only the attribute shared by all LSMs
      if (!(e instanceof SysError) || e.code !== "ENOENT") throw e;
      fd = io.openBelow(proc, path = LEGACY_ATTR);
    }
    try {
      if (io.fstatfsType(fd) !== PROC_SUPER_MAGIC) throw new SysError("fstatfs", 22, `/proc/${path} is not on procfs: refusing to write the AppArmor profile there`);
      try {
        io.write(fd, `${command} ${profile}`);
      } catch (e) {
        // The kernel answers ENOENT for a profile it does not have
        if (e instanceof SysError && e.code === "ENOENT") throw new SysError("write", 2, `/proc/${path}: AppArmor profile "${profile}" is not loaded`);
        throw e;
      }
    } finally {
      io.close(fd);
    }
  } finally {
    io.close(proc);
  }
}

/** The kernel calls of `sys` behind a ProcAttrIO. */
export function procAttrIO(sys: Sys): ProcAttrIO {
  return {
    openDir: (path) => sys.openat(AT.FDCWD, path, O.PATH | O.DIRECTORY),
    openBelow(dirfd, path) {
      try {
        return sys.openat2(dirfd, path, O.WRONLY | O.NOCTTY, RESOLVE.BENEATH | RESOLVE.NO_XDEV | RESOLVE.NO_MAGICLINKS);
      } catch (e) {
        // No openat2 before Linux 5.6: the fstatfs checks remain
        if (!(e instanceof SysError) || e.code !== "ENOSYS") throw e;
        return sys.openat(dirfd, path, O.WRONLY | O.NOCTTY);
      }
    },
    fstatfsType: (fd) => sys.fstatfsType(fd),
    write: (fd, data) => sys.writeAll(fd, Buffer.from(data)),
    close: (fd) => sys.close(fd),
  };
}
