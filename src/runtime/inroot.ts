// Paths inside the container's root, resolved by the kernel through a root fd (openat2 with
// RESOLVE_IN_ROOT), never by joining host path strings (CVE-2021-30465, CVE-2026-41579): a
// symlink in the image, absolute or relative, can only lead somewhere inside the root. Mounts
// then target the resolved object through /proc/self/fd/N.
import * as fs from "../sys/fsat.ts";
import { SysError } from "../sys/errno.ts";

const IN_ROOT = fs.RESOLVE_IN_ROOT | fs.RESOLVE_NO_MAGICLINKS;

export type Create = "dir" | "file" | "none";

const MAX_LINKS = 40;

/**
 * An O_PATH fd for `path` inside the root fd. With `create`, missing directories (and the leaf
 * file or directory) are made first, following symlinks the way the kernel will, but inside the
 * root: an image's `/data -> /host/dir` gets `<root>/host/dir` created, never the host's.
 */
export function openInRoot(rootFd: number, path: string, create: Create): number {
  if (create !== "none") {
    // Most targets exist (/proc, /sys, /dev in any image): one openat2 instead of a walk of three
    // calls per component. Nothing is created then, so the kernel's resolution is all there is.
    try {
      return openResolved(rootFd, path);
    } catch (e) {
      if (!(e instanceof SysError) || e.code !== "ENOENT") throw e;
    }
    return openResolved(rootFd, makeAllInRoot(rootFd, path, create));
  }
  return openResolved(rootFd, path);
}

function openResolved(rootFd: number, path: string): number {
  return fs.openat2(rootFd, path.replace(/^\/+/, "") || ".", fs.O_PATH | fs.O_CLOEXEC, IN_ROOT);
}

/** Walks `path` component by component inside the root, creating what is missing; returns the resolved path. */
function makeAllInRoot(rootFd: number, path: string, create: "dir" | "file"): string {
  const pending = path.split("/").filter((p) => p && p !== ".");
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === "..") { done.pop(); continue; }
    const dir = fs.openat2(rootFd, done.join("/") || ".", fs.O_PATH | fs.O_DIRECTORY | fs.O_CLOEXEC, IN_ROOT);
    try {
      let link: string | undefined;
      try {
        link = fs.readlinkat(dir, part);
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        if (e.code === "ENOENT") {
          if (pending.length === 0 && create === "file") fs.close(fs.openat(dir, part, fs.O_CREAT | fs.O_EXCL | fs.O_WRONLY | fs.O_CLOEXEC | fs.O_NOFOLLOW, 0o644));
          else fs.mkdirat(dir, part, 0o755);
        } else if (e.code !== "EINVAL") {
          throw e; // EINVAL: it exists and is not a symlink
        }
      }
      if (link !== undefined) {
        if (++links > MAX_LINKS) throw new SysError("openat2", 40, path);
        if (link.startsWith("/")) done.length = 0;
        pending.unshift(...link.split("/").filter((p) => p && p !== "."));
        continue;
      }
      done.push(part);
    } finally {
      fs.close(dir);
    }
  }
  return "/" + done.join("/");
}

/** The magic-link path the kernel resolves to exactly the object behind fd. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

export function openRoot(path: string): number {
  return fs.openat(fs.AT_FDCWD, path, fs.O_PATH | fs.O_DIRECTORY | fs.O_CLOEXEC);
}

/**
 * A small text file of a root the container controls (a running container's /proc/<pid>/root):
 * resolved by the kernel inside the root, so a symlink swapped in cannot point bunbox at a host
 * file, and refused unless it is a regular file of at most `max` bytes (a fifo would block, a
 * huge file would not end). Missing or refused: "" (the caller treats it as an empty file).
 */
export function readSmallFileInRoot(root: string, path: string, max = 1 << 20): string {
  let rootFd = -1, fd = -1;
  try {
    rootFd = openRoot(root);
    // O_PATH first: opening a device node for reading can have effects (a watchdog arms)
    const where = openResolved(rootFd, path);
    try {
      if (!fs.fstat(where).isFile()) return "";
      fd = fs.openat(fs.AT_FDCWD, fdPath(where), fs.O_RDONLY | fs.O_NONBLOCK | fs.O_CLOEXEC | fs.O_NOCTTY);
    } finally {
      fs.close(where);
    }
    return fs.readFdText(fd, max) ?? "";
  } catch (e) {
    if (e instanceof SysError) return "";
    throw e;
  } finally {
    if (fd >= 0) fs.close(fd);
    if (rootFd >= 0) fs.close(rootFd);
  }
}
