// Paths inside the container's root, resolved by the kernel through a root fd (openat2 with
// RESOLVE_IN_ROOT), never by joining host path strings (CVE-2021-30465, CVE-2026-41579): a
// symlink in the image, absolute or relative, can only lead somewhere inside the root. Mounts
// then target the resolved object through /proc/self/fd/N.
import * as fs from "../../sys/fsat.ts";
import { SysError } from "../../sys/errno.ts";
import { AT, O, RESOLVE } from "../../sys/constants.ts";
import type { Sys } from "../../sys/sys.ts";

const IN_ROOT = RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS;

/** The kernel calls a resolution inside a root makes (the appliers pass their `sys`). */
export type InRootCalls = Pick<Sys, "openat" | "openat2" | "readlinkat" | "mkdirat" | "close">;

export type Create = "dir" | "file" | "none";

const MAX_LINKS = 40;

/**
 * An O_PATH fd for `path` inside the root fd. With `create`, missing directories (and the leaf
 * file or directory) are made first, following symlinks the way the kernel will, but inside the
 * root: an image's `/data -> /host/dir` gets `<root>/host/dir` created, never the host's.
 */
export function openInRoot(sys: InRootCalls, rootFd: number, path: string, create: Create): number {
  if (create !== "none") {
    // Most targets exist (/proc, /sys, /dev in any image): one openat2 instead of a walk of three
    // calls per component. Nothing is created then, so the kernel's resolution is all there is.
    try {
      return openResolved(sys, rootFd, path);
    } catch (e) {
      if (!(e instanceof SysError) || e.code !== "ENOENT") throw e;
    }
    return openResolved(sys, rootFd, makeAllInRoot(sys, rootFd, path, create));
  }
  return openResolved(sys, rootFd, path);
}

function openResolved(sys: InRootCalls, rootFd: number, path: string): number {
  return sys.openat2(rootFd, path.replace(/^\/+/, "") || ".", O.PATH | O.CLOEXEC, IN_ROOT);
}

/** Walks `path` component by component inside the root, creating what is missing; returns the resolved path. */
function makeAllInRoot(sys: InRootCalls, rootFd: number, path: string, create: "dir" | "file"): string {
  const pending = path.split("/").filter((p) => p && p !== ".");
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === "..") { done.pop(); continue; }
    const dir = sys.openat2(rootFd, done.join("/") || ".", O.PATH | O.DIRECTORY | O.CLOEXEC, IN_ROOT);
    try {
      let link: string | undefined;
      try {
        link = sys.readlinkat(dir, part);
      } catch (e) {
        if (!(e instanceof SysError)) throw e;
        if (e.code === "ENOENT") {
          if (pending.length === 0 && create === "file") sys.close(sys.openat(dir, part, O.CREAT | O.EXCL | O.WRONLY | O.CLOEXEC | O.NOFOLLOW, 0o644));
          else sys.mkdirat(dir, part, 0o755);
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
      sys.close(dir);
    }
  }
  return "/" + done.join("/");
}

/** The magic-link path the kernel resolves to exactly the object behind fd. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

export function openRoot(sys: InRootCalls, path: string): number {
  return sys.openat(AT.FDCWD, path, O.PATH | O.DIRECTORY | O.CLOEXEC);
}

/** The most of an image's /etc/passwd or /etc/group bunbox reads (real ones are a few KiB). */
export const USER_FILE_MAX = 1 << 20;

/** What a bounded read found: the text, or why there is none to use (missing is not a problem). */
export type SmallFile = { text: string; problem?: undefined } | { text: ""; problem: string };

const TYPE_NAMES: Record<number, string> = {
  0o040000: "a directory", 0o020000: "a character device", 0o060000: "a block device", 0o010000: "a fifo", 0o140000: "a socket",
};

/**
 * A small text file of a root that an image or a container controls (an image directory, a
 * stored image, a running container's /proc/<pid>/root): resolved by the kernel inside the root,
 * so a symlink (even one swapped in) cannot point bunbox at a host file, and read only if it is
 * a regular file of at most `max` bytes: a fifo would block forever, /dev/zero would never end,
 * a huge file would be held whole in memory. Missing: "" and no problem, as an empty file.
 */
export function readBoundedInRoot(root: string, path: string, max = USER_FILE_MAX): SmallFile {
  let rootFd = -1, fd = -1;
  try {
    rootFd = openRoot(fs, root);
    // O_PATH first: opening a device node for reading can have effects (a watchdog arms), and
    // a fifo's open blocks until a writer comes
    const where = openResolved(fs, rootFd, path);
    try {
      const st = fs.fstat(where);
      if (!st.isFile()) return { text: "", problem: `${path} is ${TYPE_NAMES[st.mode & 0o170000] ?? "something else"}, not a regular file` };
      if (st.size > max) return { text: "", problem: `${path} is larger than ${max >> 20} MiB` };
      // The object just checked, by its fd: not the path again (it may have been swapped meanwhile)
      fd = fs.openat(AT.FDCWD, fdPath(where), O.RDONLY | O.NONBLOCK | O.CLOEXEC | O.NOCTTY);
    } finally {
      fs.close(where);
    }
    // A file that grew after the fstat is still cut off at the cap
    const text = fs.readFdText(fd, max);
    return text === undefined ? { text: "", problem: `${path} is larger than ${max >> 20} MiB` } : { text };
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    if (e.code === "ENOENT" || e.code === "ENOTDIR") return { text: "" };
    return { text: "", problem: `${path} cannot be read: ${e.code}` };
  } finally {
    if (fd >= 0) fs.close(fd);
    if (rootFd >= 0) fs.close(rootFd);
  }
}
