// The init stage's user-namespace steps (plan: linux/user-namespace.ts): the overlay of idmapped
// layers, made as the host's root, and the join that ends being the host's root.
import type { Step } from "../steps.ts";
import type { Sys } from "../../sys/sys.ts";
import { CLONE, O, AT } from "../../sys/constants.ts";
import { SysError } from "../../sys/errno.ts";
import * as fsat from "../../sys/fsat.ts";
import * as mountApi from "../../sys/mount-api.ts";
import type { StepContext } from "../apply-context.ts";

/**
 * setns(CLONE_NEWUSER) answers EINVAL in a process with more than one thread. The init stage is
 * started with the JIT's and heap's helper threads off (spawn-init.ts) and measured at one thread
 * when the plan arrives; should a Bun update start one anyway, this says so instead of EINVAL.
 */
export function threadCount(status: string): number {
  return Number(/^Threads:\s*(\d+)/m.exec(status)?.[1] ?? 1);
}

function threadNames(): string[] {
  const dir = fsat.openat(AT.FDCWD, "/proc/self/task", O.RDONLY | O.DIRECTORY | O.CLOEXEC);
  try {
    return fsat.readdirFd(dir).map((tid) => { try { return fsat.readTextFile(`/proc/self/task/${tid}/comm`).trim(); } catch { return tid; } });
  } finally {
    fsat.close(dir);
  }
}

export function joinUserNamespace(step: Extract<Step, { kind: "join-user" }>, sys: Sys): void {
  const threads = threadCount(sys.readTextFile("/proc/self/status"));
  if (threads > 1) throw new SysError("setns", 22, `${step.path}: the init stage has ${threads} threads (${threadNames().join(", ")}), and only a single-threaded process can join a user namespace`);
  const fd = sys.open(step.path, O.RDONLY | O.CLOEXEC);
  try {
    sys.setns(fd, CLONE.NEWUSER, step.path);
  } finally {
    sys.close(fd);
  }
  // The host's root is not mapped in it: until now this process is "nobody" there, and could
  // not even create a directory (EOVERFLOW). Its root, if mapped; the user's ids come later
  try {
    sys.setresgid(0);
    sys.setresuid(0);
  } catch (e) {
    if (!(e instanceof SysError && e.code === "EINVAL")) throw e;
  }
}

/**
 * overlayfs itself cannot be idmapped (EINVAL on this 6.18 kernel), but its layers can (Linux
 * 5.19+): each lower layer is cloned detached, idmapped, and attached beside the container's upper layer.
 * The upper layer stays plain: overlayfs writes it with the mounter's (host root's) ids, which an
 * idmapped upper cannot represent (EOVERFLOW making work/). Files the container writes land there
 * under the host ids they map to, as with Docker's userns-remap (run.ts gives its top directory
 * the mapped owner of the image's root). Layers that cannot be idmapped were copied with mapped
 * ids by the parent (user-namespace.ts), and are mounted as they are.
 */
export function mountIdmappedOverlay(step: Extract<Step, { kind: "idmapped-overlay" }>, sys: Sys): void {
  const userns = sys.open(step.userns, O.RDONLY | O.CLOEXEC);
  try {
    // Attached in this (private, host-side) mount namespace: overlayfs before ~6.5 takes only
    // layers in the mounter's namespace (a detached one gave EINVAL on the systemd VM's 6.1)
    const lowerdir = step.lower.map((dir, i) => {
      const at = `${step.stage}/${i}`;
      sys.mkdirs(at, 0o700);
      const tree = idmappedClone(sys, dir, userns);
      const target = sys.openat(AT.FDCWD, at, O.PATH | O.DIRECTORY | O.CLOEXEC);
      try {
        sys.moveMount(tree, target, at);
      } finally {
        sys.close(target);
        sys.close(tree);
      }
      return at;
    });
    sys.mkdirs(step.target);
    sys.mount("overlay", step.target, "overlay", 0, `lowerdir=${lowerdir.join(":")},upperdir=${step.upper},workdir=${step.work}${step.volatile ? ",volatile" : ""}`);
  } finally {
    sys.close(userns);
  }
}

/** A detached clone of dir showing its ids through the user namespace at fd `userns`. */
export function idmappedClone(sys: Pick<Sys, "openat" | "close" | "openTreeClone" | "mountSetattr">, dir: string, userns: number): number {
  const src = sys.openat(AT.FDCWD, dir, O.PATH | O.DIRECTORY | O.CLOEXEC);
  let tree: number;
  try {
    tree = sys.openTreeClone(src, false, dir);
  } finally {
    sys.close(src);
  }
  try {
    sys.mountSetattr(tree, mountApi.MOUNT_ATTR_IDMAP, 0, 0, false, dir, userns);
    return tree;
  } catch (e) {
    sys.close(tree);
    throw e;
  }
}

/**
 * After joining: the working directory is the root the host side mounted (in this mount
 * namespace's copy, where it is locked, and pivot_root refuses a locked new root). A recursive
 * clone of it, attached onto it, is this namespace's own mount; the clone's fd is the root from
 * now on, so no path through bunbox's 0700 directories is looked up again.
 */
export function rebindRoot(ctx: StepContext): void {
  const { sys } = ctx;
  const here = sys.openat(AT.FDCWD, ".", O.PATH | O.DIRECTORY | O.CLOEXEC);
  try {
    const tree = sys.openTreeClone(here, true, "the container's root");
    sys.moveMount(tree, here, "the container's root");
    if (ctx.rootFd !== undefined) sys.close(ctx.rootFd);
    ctx.rootFd = tree;
    ctx.rootfs = `/proc/self/fd/${tree}`;
  } finally {
    sys.close(here);
  }
}
