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
  | { kind: "join-namespaces"; namespaces: { type: string; path: string; nstype: number }[] }
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
  | { kind: "pivot-root"; rootfs: string }
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
  | { kind: "capabilities"; bounding: string; effective: string; permitted: string; inheritable: string; ambient: string }
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
