// The namespace steps of a plan: make new ones, join given ones (the user namespace first, with
// its host-side mounts: apply-user.ts), and set what a new UTS or network namespace starts without.
import type { Step } from "../steps.ts";
import type { StepContext } from "../apply-context.ts";
import { O, CLONE } from "../../sys/constants.ts";
import { joinUserNamespace, mountIdmappedOverlay, rebindRoot } from "./apply-user.ts";

type Kind<K extends Step["kind"]> = Extract<Step, { kind: K }>;

export function applyUnshare(step: Kind<"unshare">, ctx: StepContext): void {
  ctx.sys.unshare(step.flags);
  // A root fd opened in the previous mount namespace (user.ts's host-side mounts) would aim every
  // later mount at that namespace's tree
  if (step.flags & CLONE.NEWNS && ctx.rootFd !== undefined) {
    ctx.sys.close(ctx.rootFd);
    ctx.rootFd = undefined;
  }
}

export function applyJoinNamespaces(step: Kind<"join-namespaces">, ctx: StepContext): void {
  const { sys } = ctx;
  // Open every namespace first: after entering the mount namespace, /proc is the container's
  const fds = step.namespaces.map((n) => ({ ...n, fd: sys.open(n.path, O.RDONLY | O.CLOEXEC) }));
  // Threads share fs_struct: setns into a mount namespace needs our own first
  if (step.namespaces.some((n) => n.type === "mount")) sys.unshare(CLONE.FS);
  for (const n of fds) {
    sys.setns(n.fd, n.nstype, n.path);
    sys.close(n.fd);
  }
  // Joining a mount namespace (exec) means its root is already "/"; create may join others only
  if (!step.keepsRoot && step.namespaces.some((n) => n.type === "mount")) {
    ctx.pivoted = true;
    ctx.rootfs = "/";
  }
}

export const namespaceAppliers = {
  "unshare": applyUnshare,
  "join-namespaces": applyJoinNamespaces,
  "join-user": (step: Kind<"join-user">, ctx: StepContext) => joinUserNamespace(step, ctx.sys),
  "idmapped-overlay": (step: Kind<"idmapped-overlay">, ctx: StepContext) => mountIdmappedOverlay(step, ctx.sys),
  "rebind-root": (_: Kind<"rebind-root">, ctx: StepContext) => rebindRoot(ctx),
  "hostname": (step: Kind<"hostname">, ctx: StepContext) => ctx.sys.sethostname(step.name),
  "domainname": (step: Kind<"domainname">, ctx: StepContext) => ctx.sys.setdomainname(step.name),
  "interface-up": (step: Kind<"interface-up">, ctx: StepContext) => ctx.sys.interfaceUp(step.name),
};
