// The filesystem steps of a plan. Every path inside the container is resolved by the kernel
// through the root fd (inroot.ts), and mounts target the resolved object via /proc/self/fd/N.
import type { Step } from "../steps.ts";
import { MS, MNT_DETACH, S, O, AT, RESOLVE, PROC_SUPER_MAGIC } from "../../sys/constants.ts";
import { SysError } from "../../sys/errno.ts";
import { openInRoot, openRoot, fdPath, type Create } from "./inroot.ts";
import type { StepContext } from "../apply-context.ts";
import type { Sys } from "../../sys/sys.ts";
import { applyBind, type BindKernel } from "./bind.ts";

type FsStep = Extract<Step, { kind: "propagation" | "mount" | "bind" | "remount" | "check-not-symlink" | "mknod" | "symlink" | "pivot-root" | "mask" | "readonly" | "sysctl" }>;

export function applyFilesystemStep(step: FsStep, ctx: StepContext): void {
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
        sys.mkdirs(step.target);
        return sys.mount(step.source, step.target, fstype, step.flags, step.data || null);
      }
      const create: Create = bind && !isDirectory(sys, step.source) ? "file" : "dir";
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
          sys.close(sys.openat(root(ctx), p.replace(/^\//, ""), O.PATH | O.NOFOLLOW | O.DIRECTORY | O.CLOEXEC));
        } catch (e) {
          if (e instanceof SysError && e.code === "ENOENT") continue;
          throw new SysError("check", 40, `${p} in the image is a symlink or not a directory (refused: it could redirect mounts)`);
        }
      }
      return;
    case "mknod": {
      const type = step.type === "c" ? S.IFCHR : step.type === "b" ? S.IFBLK : S.IFIFO;
      return inParent(ctx, step.path, (dir, name) => {
        ignoreExists(() => sys.mknodat(dir, name, type | step.mode, step.major, step.minor)); // exact mode: umask 0
        if (step.uid !== 0 || step.gid !== 0) sys.fchownat(dir, name, step.uid, step.gid);
      });
    }
    case "symlink":
      return inParent(ctx, step.path, (dir, name) => ignoreExists(() => sys.symlinkat(step.target, dir, name)));
    case "pivot-root": {
      // The root as this stage holds it: the step's path, or in a user namespace its fd (apply-userns.ts)
      sys.chdir(ctx.rootfs);
      if (step.chroot) {
        sys.chroot(".");
      } else {
        // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves no host tree behind
        sys.pivotRoot(".", ".");
        sys.mount(null, ".", null, MS.SLAVE | MS.REC, null);
        sys.umount2(".", MNT_DETACH);
      }
      sys.chdir("/");
      if (ctx.rootFd !== undefined) sys.close(ctx.rootFd);
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
      return writeProc(sys, `/proc/sys/${step.key.replace(/\./g, "/")}`, step.value);
  }
}

/** The real kernel calls of a bind; errors about the target name its path in the container. */
function bindKernel(ctx: StepContext): BindKernel {
  const { sys } = ctx;
  return {
    openSource: (path) => sys.openat2(AT.FDCWD, path, O.PATH | O.CLOEXEC, RESOLVE.NO_SYMLINKS | RESOLVE.NO_MAGICLINKS),
    isDirectory: (fd) => sys.fstat(fd).isDirectory(),
    openTarget: (path, create) => {
      try {
        return openInRoot(sys, root(ctx), path, create);
      } catch (e) {
        // The container path the user gave, not bunbox's host path to it
        if (e instanceof SysError) throw new SysError(e.syscall, e.errno, path);
        throw e;
      }
    },
    openTreeClone: (fd, recursive) => sys.openTreeClone(fd, recursive),
    mountSetattr: (fd, set, clear, propagation, recursive) => sys.mountSetattr(fd, set, clear, propagation, recursive),
    moveMount: (from, to) => sys.moveMount(from, to),
    mountFd: (fd, flags) => sys.mount(null, fdPath(fd), null, flags, null),
    close: (fd) => sys.close(fd),
  };
}

function root(ctx: StepContext): number {
  ctx.rootFd ??= openRoot(ctx.sys, ctx.rootfs);
  return ctx.rootFd;
}

/** Runs fn on the /proc/self/fd path of `path` resolved in the root; errors name the real path. */
function atPath(ctx: StepContext, path: string, create: Create, fn: (magic: string) => void): void {
  let fd = -1;
  try {
    fd = openInRoot(ctx.sys, root(ctx), path, create);
    fn(fdPath(fd));
  } catch (e) {
    // The container's path, never the host's (…/containers/<id>/rootfs/x told the user nothing)
    if (e instanceof SysError) throw new SysError(e.syscall, e.errno, path);
    throw e;
  } finally {
    if (fd >= 0) ctx.sys.close(fd);
  }
}

function inParent(ctx: StepContext, path: string, fn: (dirFd: number, name: string) => void): void {
  const slash = path.lastIndexOf("/");
  const dir = openInRoot(ctx.sys, root(ctx), path.slice(0, slash) || "/", "dir");
  try {
    fn(dir, path.slice(slash + 1));
  } finally {
    ctx.sys.close(dir);
  }
}

/** Masked and read-only paths that the kernel does not have are skipped (as runc does). */
function openIfPresent(ctx: StepContext, path: string): number | undefined {
  try {
    return openInRoot(ctx.sys, root(ctx), path, "none");
  } catch (e) {
    if (e instanceof SysError && e.code === "ENOENT") return undefined;
    throw e;
  }
}

/** Files: bind of the /dev/null bunbox made and verified (CVE-2025-31133). Dirs: empty read-only tmpfs. */
function maskPath(ctx: StepContext, path: string): void {
  const fd = openIfPresent(ctx, path);
  if (fd === undefined) return;
  try {
    const st = ctx.sys.fstat(fd);
    if (st.isDirectory()) return ctx.sys.mount("tmpfs", fdPath(fd), "tmpfs", MS.RDONLY, null);
    const nullFd = openInRoot(ctx.sys, root(ctx), "/dev/null", "none");
    try {
      const n = ctx.sys.fstat(nullFd);
      if (!n.isCharacterDevice() || n.rdevMajor !== 1 || n.rdevMinor !== 3) throw new SysError("mask", 22, `/dev/null is not the null device; refusing to mask ${path}`);
      ctx.sys.mount(fdPath(nullFd), fdPath(fd), null, MS.BIND, null);
    } finally {
      ctx.sys.close(nullFd);
    }
  } finally {
    ctx.sys.close(fd);
  }
}

function readonlyPath(ctx: StepContext, path: string): void {
  const fd = openIfPresent(ctx, path);
  if (fd === undefined) return;
  try {
    ctx.sys.mount(fdPath(fd), fdPath(fd), null, MS.BIND | MS.REC, null);
  } finally {
    ctx.sys.close(fd);
  }
  // A new fd: the old one still points into the mount below the new bind
  atPath(ctx, path, "none", (p) => ctx.sys.mount(null, p, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.REC | MS.NOSUID | MS.NODEV | MS.NOEXEC, null));
}

/** Writes into /proc only if the file really is on procfs (CVE-2019-16884, CVE-2023-27561). */
function writeProc(sys: Sys, path: string, value: string): void {
  const fd = sys.openat(AT.FDCWD, path, O.WRONLY | O.CLOEXEC | O.NOCTTY);
  try {
    if (sys.fstatfsType(fd) !== PROC_SUPER_MAGIC) throw new SysError("write", 22, `${path} is not on procfs (refused)`);
    sys.writeAll(fd, Buffer.from(value));
  } finally {
    sys.close(fd);
  }
}

function ignoreExists(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SysError) || e.code !== "EEXIST") throw e;
  }
}

function isDirectory(sys: Sys, path: string): boolean {
  try {
    return sys.stat(path).isDirectory();
  } catch {
    return true;
  }
}

export const mountAppliers: { [K in FsStep["kind"]]: (step: Extract<FsStep, { kind: K }>, ctx: StepContext) => void } = {
  "propagation": applyFilesystemStep, "mount": applyFilesystemStep, "bind": applyFilesystemStep,
  "remount": applyFilesystemStep, "check-not-symlink": applyFilesystemStep, "mknod": applyFilesystemStep,
  "symlink": applyFilesystemStep, "pivot-root": applyFilesystemStep, "mask": applyFilesystemStep,
  "readonly": applyFilesystemStep, "sysctl": applyFilesystemStep,
};
