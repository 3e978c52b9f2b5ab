// A new pty from the devpts instance mounted at /dev/pts of the mount namespace we are in (the
// container's), opened only if it is that instance's own ptmx. The container controls its /dev:
// with CAP_MKNOD its /dev/ptmx can be any device node (kmsg, a disk), and with CAP_SYS_ADMIN its
// /dev/pts can be a tmpfs, or have something bound over ptmx. bunbox opens it as root, so it
// must reach nothing but a pty: the directory must be devpts (fstatfs), "ptmx" is looked up in it
// without leaving that mount or following a link, and must be the 5:2 node (fstat), all checked
// on an O_PATH fd before the open. The slave comes from the master (TIOCGPTPEER), not a path.
import { libc, errno } from "./libc.ts";
import { SysError } from "./errno.ts";
import { SYS } from "./arch.ts";
import { fstat, openat2, close } from "./fsat.ts";
import { AT, O, RESOLVE, DEVPTS_SUPER_MAGIC } from "./constants.ts";
import { BunboxError } from "../errors.ts";

const TIOCSPTLCK = 0x40045431;
const TIOCGPTPEER = 0x5441;
const NO_LINKS = RESOLVE.NO_SYMLINKS | RESOLVE.NO_MAGICLINKS;

/** What was found where a ptmx was expected. */
export interface Found { fsType: number; isCharDevice: boolean; major: number; minor: number }

/** Why `found` is not devpts's ptmx (5:2 on a devpts filesystem), or undefined if it is. */
export function ptmxProblem(found: Found): string | undefined {
  const fs = found.fsType === DEVPTS_SUPER_MAGIC ? "devpts" : `a filesystem of type 0x${found.fsType.toString(16)}`;
  if (found.fsType !== DEVPTS_SUPER_MAGIC || !found.isCharDevice || found.major !== 5 || found.minor !== 2) {
    return `${found.isCharDevice ? `a character device ${found.major}:${found.minor}` : "not a character device"} on ${fs}`;
  }
  return undefined;
}

/** The container's /dev/pts or its ptmx is not what bunbox may open: nothing was opened. */
export class PtyRefused extends BunboxError {}

function fsType(fd: number): number {
  const buf = new BigInt64Array(15);
  if (libc().fstatfs(fd, buf) < 0) throw new SysError("fstatfs", errno(), "/dev/pts");
  return Number(buf[0]);
}

function refuse(what: string): never {
  throw new PtyRefused(`refused to open the container's pty: ${what} (it could reach another device with bunbox's privileges)`);
}

/** The pty pair: unlocked master and its slave, both close-on-exec, neither our controlling tty. */
export function openContainerPty(ptsDir = "/dev/pts"): { master: number; slave: number } {
  let dir: number;
  try {
    dir = openat2(AT.FDCWD, ptsDir, O.PATH | O.DIRECTORY, NO_LINKS);
  } catch (e) {
    if (e instanceof SysError && (e.code === "ELOOP" || e.code === "ENOTDIR")) refuse(`${ptsDir} is a symlink or not a directory`);
    throw e;
  }
  try {
    const type = fsType(dir);
    if (type !== DEVPTS_SUPER_MAGIC) refuse(`${ptsDir} is not a devpts filesystem (type 0x${type.toString(16)})`);
    // Beneath the devpts directory, never crossing into a mount on top of "ptmx"
    const resolve = RESOLVE.BENEATH | RESOLVE.NO_XDEV | NO_LINKS;
    let path: number;
    try {
      path = openat2(dir, "ptmx", O.PATH | O.NOFOLLOW, resolve);
    } catch (e) {
      if (e instanceof SysError && (e.code === "EXDEV" || e.code === "ELOOP")) refuse(`something is mounted over ${ptsDir}/ptmx`);
      throw e;
    }
    try {
      const st = fstat(path);
      const problem = ptmxProblem({ fsType: fsType(path), isCharDevice: st.isCharacterDevice(), major: st.rdevMajor, minor: st.rdevMinor });
      if (problem) refuse(`${ptsDir}/ptmx is ${problem}, not devpts's ptmx (5:2)`);
    } finally {
      close(path);
    }
    const master = openat2(dir, "ptmx", O.RDWR | O.NOCTTY | O.NOFOLLOW | O.CLOEXEC, resolve);
    try {
      const zero = new Int32Array([0]);
      if (libc().ioctl(master, BigInt(TIOCSPTLCK), zero) < 0) throw new SysError("ioctl(TIOCSPTLCK)", errno(), `${ptsDir}/ptmx`);
      return { master, slave: peer(master, ptsDir) };
    } catch (e) {
      close(master);
      throw e;
    }
  } finally {
    close(dir);
  }
}

/** The slave of `master`, opened by the kernel from the master itself (Linux 4.13). */
function peer(master: number, ptsDir: string): number {
  // The flags are the argument itself, not a pointer: through syscall(2), as libc's ioctl takes a pointer here
  const fd = Number(libc().syscall(SYS.ioctl, master, TIOCGPTPEER, O.RDWR | O.NOCTTY | O.CLOEXEC, 0, 0, 0));
  if (fd < 0) throw new SysError("ioctl(TIOCGPTPEER)", errno(), `${ptsDir}/ptmx`);
  return fd;
}
