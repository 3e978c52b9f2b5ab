// The closed set of setup steps the init stage performs. A plan is a JSON list of these records:
// made by pure code from the spec, printed by --explain, asserted by unit tests, sent to init
// over the sync channel and applied in order there.

export type Concept = "namespaces" | "filesystem" | "network" | "cgroups" | "security" | "process";

/** Where a path lives: on the host (before pivot_root) or inside the container's root. */
export type Where = "host" | "rootfs" | "container";

interface Base {
  concept: Concept;
  /** One line for humans: why this step exists. */
  why: string;
}

/** An OCI hook: a program run with the container's state JSON on stdin. */
export interface HookSpec { path: string; args?: string[]; env?: string[]; timeout?: number }

export type Step = Base & (
  | { kind: "unshare"; flags: number }
  /** keepsRoot: create, which then sets up its root; exec's joined mount namespace has it as "/" */
  | { kind: "join-namespaces"; namespaces: { type: string; path: string; nstype: number }[]; keepsRoot?: boolean }
  /** setns into a user namespace, then become its root: the namespaces made after it are its own. */
  | { kind: "join-user"; path: string }
  /**
   * The overlay root with each lower layer an idmapped clone (MOUNT_ATTR_IDMAP through the user
   * namespace at `userns`), attached at `stage`/<i>; the upper layer is plain, holding host ids.
   */
  | { kind: "idmapped-overlay"; target: string; lower: string[]; upper: string; work: string; volatile: boolean; userns: string; stage: string }
  | { kind: "propagation"; target: string; flags: number }
  | { kind: "mount"; source: string; target: string; where: Where; fstype: string; flags: number; data: string; create: "dir" | "file" }
  | { kind: "remount"; target: string; where: Where; flags: number }
  /**
   * A host path bound into the root as one object: the source opened without following symlinks,
   * cloned (the tree below it with `recursive`), given `flags` (per-mount MS_ flags: ro, nosuid…,
   * for every mount of the tree) and `propagation` while detached, then attached onto the target
   * resolved inside the root. Nothing is looked up by path twice.
   */
  | { kind: "bind"; source: string; target: string; recursive: boolean; flags: number; propagation: number }
  | { kind: "check-not-symlink"; paths: string[] }
  | { kind: "mknod"; path: string; type: "c" | "b" | "p"; major: number; minor: number; mode: number; uid: number; gid: number }
  | { kind: "symlink"; path: string; target: string }
  /** chroot: no mount namespace of its own, so no pivot_root (mounts.ts) */
  | { kind: "pivot-root"; rootfs: string; chroot?: boolean }
  /** A recursive clone of the working directory (the root) attached onto it; it is the root from then on. */
  | { kind: "rebind-root" }
  | { kind: "mask"; path: string }
  | { kind: "readonly"; path: string }
  | { kind: "hostname"; name: string }
  | { kind: "domainname"; name: string }
  | { kind: "interface-up"; name: string }
  | { kind: "sysctl"; key: string; value: string }
  | { kind: "rlimit"; name: string; resource: number; soft: string; hard: string }
  | { kind: "umask"; mask: number }
  /** create: make a missing directory first (docker run -w does; exec, like runc, does not) */
  | { kind: "chdir"; path: string; create?: boolean }
  | { kind: "set-user"; uid: number; gid: number; additionalGids: number[] }
  /**
   * holdForFilter: a seccomp filter without no_new_privs follows, and installing it needs
   * CAP_SYS_ADMIN: kept in effective/permitted until then. execve recomputes both from the
   * bounding, inheritable and ambient sets set here, so the program never gets it (issue 17).
   */
  | { kind: "capabilities"; bounding: string; effective: string; permitted: string; inheritable: string; ambient: string; holdForFilter?: boolean }
  | { kind: "no-new-privs" }
  /**
   * The AppArmor profile the next execve enters (written to the task's attr/apparmor/exec), or
   * with `now`, that this thread enters at once (attr/apparmor/current): the next execve then
   * keeps the label, and with it the parent-death signal, which a label change at execve clears.
   */
  | { kind: "apparmor"; profile: string; now?: boolean }
  | { kind: "parent-death-signal"; signal: number }
  | { kind: "seccomp"; program: string; syscalls: number; flags: number }
  | { kind: "stdin-null" }
  | { kind: "create-hooks"; hooks: HookSpec[] }
  | { kind: "controlling-tty" }
  | { kind: "new-session" }
  | { kind: "session-keyring" }
  | { kind: "console"; uid: number; gid: number }
  | { kind: "exec"; args: string[]; env: string[]; init?: boolean }
);

export type StepKind = Step["kind"];

/**
 * Every step kind, once. The compiler refuses this table without a kind added to `Step`, and the
 * appliers' unit test walks it: a new kind without its applier fails there.
 */
const KINDS: Record<StepKind, true> = {
  "unshare": true, "join-namespaces": true, "propagation": true, "mount": true, "remount": true, "bind": true,
  "check-not-symlink": true, "mknod": true, "symlink": true, "pivot-root": true, "mask": true, "readonly": true,
  "hostname": true, "domainname": true, "interface-up": true, "sysctl": true, "rlimit": true, "umask": true,
  "chdir": true, "set-user": true, "capabilities": true, "no-new-privs": true, "apparmor": true,
  "parent-death-signal": true, "seccomp": true, "stdin-null": true, "create-hooks": true, "controlling-tty": true,
  "new-session": true, "session-keyring": true, "console": true, "exec": true,
  "join-user": true, "idmapped-overlay": true, "rebind-root": true,
};

export const STEP_KINDS = Object.keys(KINDS) as StepKind[];
