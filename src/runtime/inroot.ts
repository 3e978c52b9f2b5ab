// Paths inside the container's root, resolved by the kernel through a root fd (openat2 with
// RESOLVE_IN_ROOT), never by joining host path strings (CVE-2021-30465, CVE-2026-41579): a
// symlink in the image, absolute or relative, can only lead somewhere inside the root. Mounts
// then target the resolved object through /proc/self/fd/N.
import * as fs from "../sys/fsat.ts";
import { SysError } from "../sys/errno.ts";

const IN_ROOT = fs.RESOLVE_IN_ROOT | fs.RESOLVE_NO_MAGICLINKS;

export type Create = "dir" | "file" | "none";

/** An O_PATH fd for `path` inside the root fd, creating missing parents (and the leaf) as asked. */
export function openInRoot(rootFd: number, path: string, create: Create): number {
  const parts = path.split("/").filter((p) => p && p !== ".");
  if (create !== "none") {
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join("/");
      try {
        fs.close(fs.openat2(rootFd, sub, fs.O_PATH | fs.O_CLOEXEC, IN_ROOT));
        continue;
      } catch (e) {
        if (!(e instanceof SysError) || e.code !== "ENOENT") throw e;
      }
      const parent = i === 1 ? fs.openat(rootFd, ".", fs.O_PATH | fs.O_DIRECTORY | fs.O_CLOEXEC) : fs.openat2(rootFd, parts.slice(0, i - 1).join("/"), fs.O_PATH | fs.O_DIRECTORY | fs.O_CLOEXEC, IN_ROOT);
      try {
        if (i === parts.length && create === "file") fs.close(fs.openat(parent, parts[i - 1]!, fs.O_CREAT | fs.O_WRONLY | fs.O_CLOEXEC | fs.O_NOFOLLOW, 0o644));
        else fs.mkdirat(parent, parts[i - 1]!, 0o755);
      } catch (e) {
        if (!(e instanceof SysError) || e.code !== "EEXIST") throw e;
      } finally {
        fs.close(parent);
      }
    }
  }
  return fs.openat2(rootFd, parts.join("/") || ".", fs.O_PATH | fs.O_CLOEXEC, IN_ROOT);
}

/** The magic-link path the kernel resolves to exactly the object behind fd. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

export function openRoot(path: string): number {
  return fs.openat(fs.AT_FDCWD, path, fs.O_PATH | fs.O_DIRECTORY | fs.O_CLOEXEC);
}
