// The filesystem steps of a plan. Every path inside the container is resolved by the kernel
// through the root fd (inroot.ts), and mounts target the resolved object via /proc/self/fd/N.
import type { Step } from "../linux/steps.ts";
import { MS, MNT_DETACH, S, O } from "../sys/constants.ts";
import { SysError } from "../sys/errno.ts";
import * as fsat from "../sys/fsat.ts";
import { openInRoot, openRoot, fdPath, type Create } from "./inroot.ts";
import type { ApplyContext } from "./apply.ts";
import * as mountApi from "../sys/mount-api.ts";
import { applyBind, type BindKernel } from "./apply-bind.ts";

const PROC_SUPER_MAGIC = 0x9fa0;

type FsStep = Extract<Step, { kind: "propagation" | "mount" | "bind" | "remount" | "check-not-symlink" | "mknod" | "symlink" | "pivot-root" | "mask" | "readonly" | "sysctl" }>;

export function applyFilesystemStep(step: FsStep, ctx: ApplyContext): void {
  const { sys } = ctx;
  switch (step.kind) {
    case "propagation":
      if (step.target === "/") return sys.mount(null, "/", null, step.flags, null);
      return atPath(ctx, step.target, "none", (p) => sys.mount(null, p, null, step.flags, null));
    case "mount": {
      const bind = (step.flags & MS.BIND) !== 0;
      const fstype = bind ? null : step.fstype;
      if (step.where === "host") {
        // The container's root itself: a host path chosen by bunbox (or the bundle's root.path)
        fsat.mkdirs(step.target);
        return sys.mount(step.source, step.target, fstype, step.flags, step.data || null);
      }
      const create: Create = bind && !isDirectory(step.source) ? "file" : "dir";
      try {
        return atPath(ctx, step.target, create, (p) => sys.mount(step.source, p, fstype, step.flags, step.data || null));
      } catch (e) {
        // What the user asked for, in the container's terms: `mount tmpfs on /x (bogus=1): EINVAL`
        if (e instanceof SysError) throw new SysError(e.syscall, e.errno, `${step.source} on ${step.target}${step.data ? ` (${step.data})` : ""}`);
        throw e;
      }
    }
    case "bind":
      return applyBind(step, bindKernel(ctx));
    case "remount":
      if (step.target === "/" && step.where === "container") return sys.mount(null, "/", null, step.flags, null);
      return atPath(ctx, step.target, "none", (p) => sys.mount(null, p, null, step.flags, null));
    case "check-not-symlink":
      for (const p of step.paths) {
        try {
          fsat.close(fsat.openat(root(ctx), p.replace(/^\//, ""), fsat.O_PATH | fsat.O_NOFOLLOW | fsat.O_DIRECTORY | fsat.O_CLOEXEC));
        } catch (e) {
          if (e instanceof SysError && e.code === "ENOENT") continue;
          throw new SysError("check", 40, `${p} in the image is a symlink or not a directory (refused: it could redirect mounts)`);
        }
      }
      return;
    case "mknod": {
      const type = step.type === "c" ? S.IFCHR : step.type === "b" ? S.IFBLK : S.IFIFO;
      return inParent(ctx, step.path, (dir, name) => {
        ignoreExists(() => fsat.mknodat(dir, name, type | step.mode, step.major, step.minor)); // exact mode: umask 0
        if (step.uid !== 0 || step.gid !== 0) fsat.fchownat(dir, name, step.uid, step.gid);
      });
    }
    case "symlink":
      return inParent(ctx, step.path, (dir, name) => ignoreExists(() => fsat.symlinkat(step.target, dir, name)));
    case "pivot-root": {
      sys.chdir(step.rootfs);
      if (step.chroot) {
        sys.chroot(".");
      } else {
        // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves no host tree behind
        sys.pivotRoot(".", ".");
        sys.mount(null, ".", null, MS.SLAVE | MS.REC, null);
        sys.umount2(".", MNT_DETACH);
      }
      sys.chdir("/");
      if (ctx.rootFd !== undefined) fsat.close(ctx.rootFd);
      ctx.rootFd = undefined;
      ctx.pivoted = true;
      ctx.rootfs = "/";
      return;
    }
    case "mask":
      return maskPath(ctx, step.path);
    case "readonly":
      return readonlyPath(ctx, step.path);
    case "sysctl":
      return writeProc(`/proc/sys/${step.key.replace(/\./g, "/")}`, step.value, sys.fstatfsType);
  }
}

/** The real kernel calls of a bind; errors about the target name its path in the container. */
function bindKernel(ctx: ApplyContext): BindKernel {
  return {
    openSource: (path) => fsat.openat2(fsat.AT_FDCWD, path, fsat.O_PATH | fsat.O_CLOEXEC, fsat.RESOLVE_NO_SYMLINKS | fsat.RESOLVE_NO_MAGICLINKS),
    isDirectory: (fd) => fsat.fstat(fd).isDirectory(),
    openTarget: (path, create) => {
      try {
        return openInRoot(root(ctx), path, create);
      } catch (e) {
        // The container path the user gave, not bunbox's host path to it
        if (e instanceof SysError) throw new SysError(e.syscall, e.errno, path);
        throw e;
      }
    },
    openTreeClone: (fd, recursive) => mountApi.openTreeClone(fd, recursive),
    mountSetattr: (fd, set, clear, propagation, recursive) => mountApi.mountSetattr(fd, set, clear, propagation, recursive),
    moveMount: (from, to) => mountApi.moveMount(from, to),
    mountFd: (fd, flags) => ctx.sys.mount(null, fdPath(fd), null, flags, null),
    close: (fd) => fsat.close(fd),
  };
}

function root(ctx: ApplyContext): number {
  ctx.rootFd ??= openRoot(ctx.rootfs);
  return ctx.rootFd;
}

/** Runs fn on the /proc/self/fd path of `path` resolved in the root; errors name the real path. */
function atPath(ctx: ApplyContext, path: string, create: Create, fn: (magic: string) => void): void {
  let fd = -1;
  try {
    fd = openInRoot(root(ctx), path, create);
    fn(fdPath(fd));
  } catch (e) {
    // The container's path, never the host's (…/containers/<id>/rootfs/x told the user nothing)
    if (e instanceof SysError) throw new SysError(e.syscall, e.errno, path);
    throw e;
  } finally {
    if (fd >= 0) fsat.close(fd);
  }
}

function inParent(ctx: ApplyContext, path: string, fn: (dirFd: number, name: string) => void): void {
  const slash = path.lastIndexOf("/");
  const dir = openInRoot(root(ctx), path.slice(0, slash) || "/", "dir");
  try {
    fn(dir, path.slice(slash + 1));
  } finally {
    fsat.close(dir);
  }
}

/** Masked and read-only paths that the kernel does not have are skipped (as runc does). */
function openIfPresent(ctx: ApplyContext, path: string): number | undefined {
  try {
    return openInRoot(root(ctx), path, "none");
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") return undefined;
    throw e;
  }
}

/** Files: bind of the /dev/null bunbox made and verified (CVE-2025-31133). Dirs: empty read-only tmpfs. */
function maskPath(ctx: ApplyContext, path: string): void {
  const fd = openIfPresent(ctx, path);
  if (fd === undefined) return;
  try {
    const st = fsat.fstat(fd);
    if (st.isDirectory()) return ctx.sys.mount("tmpfs", fdPath(fd), "tmpfs", MS.RDONLY, null);
    const nullFd = openInRoot(root(ctx), "/dev/null", "none");
    try {
      const n = fsat.fstat(nullFd);
      if (!n.isCharacterDevice() || n.rdevMajor !== 1 || n.rdevMinor !== 3) throw new SysError("mask", 22, `/dev/null is not the null device; refusing to mask ${path}`);
      ctx.sys.mount(fdPath(nullFd), fdPath(fd), null, MS.BIND, null);
    } finally {
      fsat.close(nullFd);
    }
  } finally {
    fsat.close(fd);
  }
}

function readonlyPath(ctx: ApplyContext, path: string): void {
  const fd = openIfPresent(ctx, path);
  if (fd === undefined) return;
  try {
    ctx.sys.mount(fdPath(fd), fdPath(fd), null, MS.BIND | MS.REC, null);
  } finally {
    fsat.close(fd);
  }
  // A new fd: the old one still points into the mount below the new bind
  atPath(ctx, path, "none", (p) => ctx.sys.mount(null, p, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.REC | MS.NOSUID | MS.NODEV | MS.NOEXEC, null));
}

/** Writes into /proc only if the file really is on procfs (CVE-2019-16884, CVE-2023-27561). */
function writeProc(path: string, value: string, fstatfsType: (fd: number) => number): void {
  const fd = fsat.openat(fsat.AT_FDCWD, path, O.WRONLY | O.CLOEXEC | O.NOCTTY);
  try {
    if (fstatfsType(fd) !== PROC_SUPER_MAGIC) throw new SysError("write", 22, `${path} is not on procfs (refused)`);
    fsat.writeAll(fd, Buffer.from(value));
  } finally {
    fsat.close(fd);
  }
}

function ignoreExists(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SysError) || e.code !== "EEXIST") throw e;
  }
}

function isDirectory(path: string): boolean {
  try {
    return fsat.stat(path).isDirectory();
  } catch {
    return true;
  }
}
