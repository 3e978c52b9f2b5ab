// The new mount API (Linux 5.2: open_tree, move_mount; 5.12: mount_setattr): a mount made and
// configured while detached, then attached onto an fd. Nothing here resolves a path twice, so a
// component swapped between two steps cannot redirect one of them (mount(2) takes paths only).
import { ptr } from "bun:ffi";
import { libc, errno, check } from "./libc.ts";
import { SysError } from "./errno.ts";
import { SYS } from "./arch.ts";
import { AT, O } from "./constants.ts";

const OPEN_TREE_CLONE = 1;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
const MOVE_MOUNT_T_EMPTY_PATH = 0x40;


/** A detached copy of the mount at fd (the whole tree below it with `recursive`), as a new fd. */
export function openTreeClone(fd: number, recursive: boolean, what?: string): number {
  const empty = Buffer.from("\0");
  const flags = OPEN_TREE_CLONE | O.CLOEXEC | AT.EMPTY_PATH | (recursive ? AT.RECURSIVE : 0);
  return check(libc().syscall(SYS.open_tree, fd, ptr(empty), flags, 0, 0, 0), "open_tree", what);
}

/**
 * Sets `set` (MOUNT_ATTR_*, clearing `clear` first) and a propagation type (MS_PRIVATE,
 * MS_SLAVE, MS_SHARED, MS_UNBINDABLE or 0) on the mount at fd, and on every mount below it with
 * `recursive`: one call, on the object itself.
 */
export function mountSetattr(fd: number, set: number, clear: number, propagation: number, recursive: boolean, what?: string): void {
  const empty = Buffer.from("\0");
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }: MOUNT_ATTR_SIZE_VER0
  const attr = new BigUint64Array([BigInt(set), BigInt(clear), BigInt(propagation), 0n]);
  check(libc().syscall(SYS.mount_setattr, fd, ptr(empty), AT.EMPTY_PATH | (recursive ? AT.RECURSIVE : 0), ptr(attr), 32, 0), "mount_setattr", what);
}

/** Attaches the detached mount `from` onto the object `to` was opened on (no path is looked up). */
export function moveMount(from: number, to: number, what?: string): void {
  const empty = Buffer.from("\0");
  check(libc().syscall(SYS.move_mount, from, ptr(empty), to, ptr(empty), MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH, 0), "move_mount", what);
}
