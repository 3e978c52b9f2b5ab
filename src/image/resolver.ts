// Directory fds inside an extraction root, by canonical relative path ("a/b"; "" is the root).
//
// Every lookup stays inside the root: paths that fit in PATH_MAX go through openat2 with
// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, so a symlinked parent (relative, absolute, or full of
// "..") is followed as if the root were "/". Longer paths (a 5,000-level tree) are walked one
// component at a time with O_NOFOLLOW from the nearest ancestor we hold; a symlink met there is
// refused, since following it safely would need a full in-root resolution we cannot express.
// Missing parents are created 0755, as GNU tar does. Fds are cached (LRU) because consecutive
// entries nearly always share a parent.
import { ImageError } from "./errors.ts";
import { SysError } from "../sys/errno.ts";
import { close, mkdirat, openat, openat2 } from "../sys/fsat.ts";
import { O, RESOLVE } from "../sys/constants.ts";

/** Longest path handed to openat2 (PATH_MAX is 4096 including the NUL). */
export const PATH_LIMIT = 4000;
const CACHE_MAX = 256;
const DIR = O.PATH | O.DIRECTORY;

export class DirResolver {
  private cache = new Map<string, number>();

  constructor(readonly rootfd: number) {}

  /** An O_PATH fd of directory `key`, owned by the cache: use it before the next dir() call's eviction. */
  dir(key: string): number {
    if (key === "") return this.rootfd;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      // LRU touch: re-insert at the end.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    if (key.length <= PATH_LIMIT) {
      try {
        return this.remember(key, openat2(this.rootfd, key, DIR, RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS));
      } catch (e) {
        if (!(e instanceof SysError) || e.code !== "ENOENT") throw this.explain(e, key);
      }
    }
    return this.walk(key);
  }

  /** Forget every cached fd: after anything is removed or replaced, a cached path may lie. */
  invalidate(): void {
    for (const fd of this.cache.values()) close(fd);
    this.cache.clear();
  }

  private remember(key: string, fd: number): number {
    this.cache.set(key, fd);
    if (this.cache.size > CACHE_MAX) {
      const [oldKey, oldFd] = this.cache.entries().next().value!;
      this.cache.delete(oldKey);
      close(oldFd);
    }
    return fd;
  }

  /** Resolve from the nearest held or resolvable ancestor, creating what is missing. */
  private walk(key: string): number {
    let end = key.lastIndexOf("/");
    let fd = this.rootfd;
    let start = 0;
    while (end > 0) {
      const prefix = key.slice(0, end);
      const c = this.cache.get(prefix);
      if (c !== undefined) {
        fd = c;
        start = end + 1;
        break;
      }
      if (prefix.length <= PATH_LIMIT) {
        try {
          fd = this.remember(prefix, openat2(this.rootfd, prefix, DIR, RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS));
          start = end + 1;
          break;
        } catch (e) {
          if (!(e instanceof SysError) || e.code !== "ENOENT") throw this.explain(e, prefix);
        }
      }
      end = key.lastIndexOf("/", end - 1);
    }
    while (start <= key.length) {
      let next = key.indexOf("/", start);
      if (next < 0) next = key.length;
      fd = this.remember(key.slice(0, next), this.step(fd, key, start, next));
      start = next + 1;
    }
    return fd;
  }

  /** Open (or create) the component key[start..end) below parent fd `p`. */
  private step(p: number, key: string, start: number, end: number): number {
    const name = key.slice(start, end);
    const prefix = key.slice(0, end);
    try {
      return openat(p, name, DIR | O.NOFOLLOW);
    } catch (e) {
      if (!(e instanceof SysError)) throw e;
      if (e.code === "ENOENT") {
        try {
          mkdirat(p, name, 0o755);
        } catch (m) {
          // openat said ENOENT but the name exists: a dangling symlink is in the way.
          if (m instanceof SysError && m.code === "EEXIST") {
            throw new ImageError(`cannot create directory "${prefix}": a dangling symlink is in the way`);
          }
          throw m;
        }
        return openat(p, name, DIR | O.NOFOLLOW);
      }
      if (e.code === "ENOTDIR" || e.code === "ELOOP") {
        // A symlink (or a non-directory). Short enough: follow it inside the root.
        if (prefix.length <= PATH_LIMIT) {
          try {
            return openat2(this.rootfd, prefix, DIR, RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS);
          } catch (f) {
            throw this.explain(f, prefix);
          }
        }
        throw new ImageError(`refusing to follow symlink "${prefix.slice(0, 80)}…" in a path longer than ${PATH_LIMIT} bytes`);
      }
      throw e;
    }
  }

  private explain(e: unknown, key: string): unknown {
    if (e instanceof SysError && e.code === "ENOTDIR") {
      return new ImageError(`parent "${key}" is not a directory`);
    }
    if (e instanceof SysError && e.code === "ENOENT") {
      return new ImageError(`parent "${key}" is a dangling symlink`);
    }
    if (e instanceof SysError && (e.code === "ELOOP" || e.code === "EXDEV")) {
      return new ImageError(`parent "${key}" cannot be resolved inside the root (${e.code})`);
    }
    return e;
  }
}
