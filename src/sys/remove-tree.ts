// Remove a directory tree of any depth without following symlinks. node's rmSync builds full
// path strings and took minutes on a 5,000-level tree (paths beyond PATH_MAX); this walks with
// one directory fd at a time (the fd limit may be 1024), listing it with getdents64 and
// climbing back with "..". Used for failed imports, removed images and container bundles (whose
// upper layer holds whatever the container wrote), inside bunbox's own state.
import { SysError } from "./errno.ts";
import * as fs from "./fsat.ts";
import { AT, O } from "./constants.ts";

const DIR = O.RDONLY | O.DIRECTORY | O.NOFOLLOW;

// Names go back to the kernel as the bytes getdents64 gave: a container may write any name
// (not UTF-8 either), and one that did not survive decoding could never be removed.
type Name = string | Uint8Array;

function tryUnlink(dirfd: number, name: Name): boolean {
  try {
    fs.unlinkat(dirfd, name, 0);
    return true;
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") return true;
    if (e instanceof SysError && (e.code === "EISDIR" || e.code === "EPERM")) return false;
    throw e;
  }
}

/** Remove `path` (file or directory tree); a missing path is not an error. */
export function removeTree(path: string): void {
  const slash = path.lastIndexOf("/");
  const parent = slash > 0 ? path.slice(0, slash) : slash === 0 ? "/" : ".";
  const base = path.slice(slash + 1);
  let pfd: number;
  try {
    pfd = fs.openat(AT.FDCWD, parent, DIR);
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") return;
    throw e;
  }
  try {
    if (!tryUnlink(pfd, base)) removeDirAt(pfd, base);
  } finally {
    fs.close(pfd);
  }
}

/** Empty and remove directory `name` below `top`. */
function removeDirAt(top: number, name: Name): void {
  // Per level: the directory's name in its parent and the subdirectories still to remove.
  const names: Name[] = [name];
  const pending: Name[][] = [];
  let fd = fs.openat(top, name, DIR);
  pending.push(list(fd));
  for (;;) {
    const todo = pending[pending.length - 1]!;
    const next = todo.pop();
    if (next !== undefined) {
      const child = fs.openat(fd, next, DIR);
      fs.close(fd);
      fd = child;
      names.push(next);
      pending.push(list(fd));
      continue;
    }
    // This level is empty: go up and remove it.
    pending.pop();
    const done = names.pop()!;
    if (pending.length === 0) {
      fs.close(fd);
      fs.unlinkat(top, done, AT.REMOVEDIR);
      return;
    }
    const up = fs.openat(fd, "..", DIR);
    fs.close(fd);
    fd = up;
    fs.unlinkat(fd, done, AT.REMOVEDIR);
  }
}

/** Unlink the non-directories of fd; return its subdirectories. */
function list(fd: number): Name[] {
  const dirs: Name[] = [];
  for (const e of fs.readdirTypes(fd)) {
    if (e.type === fs.DT_DIR || !tryUnlink(fd, e.raw)) dirs.push(e.raw);
  }
  return dirs;
}
