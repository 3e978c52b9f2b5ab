// What a step's applier works with, inside the init (or exec) stage: the kernel, where the
// container's root is, and the stage's own callbacks. Every folder's apply.ts takes it; the plan
// interpreter (runtime/apply.ts) adds only its narration.
import type { HookSpec } from "./steps.ts";
import type { Sys } from "../sys/sys.ts";

export interface StepContext {
  sys: Sys;
  /** Host path of the container's root until pivot_root; "/" after. */
  rootfs: string;
  pivoted: boolean;
  /** An O_PATH fd of the container's root, opened once its root is mounted (reopened after pivot_root). */
  rootFd?: number;
  /** Called right before execve, e.g. to report "ready" and wait for `start`. */
  beforeExec(): void;
  /**
   * The program is looked up after beforeExec rather than before: Docker's create, whose daemon
   * only runs the OCI runtime's create at start (a missing program fails start). runc's create
   * looks it up first, so that a missing one fails create.
   */
  lookupAtStart?: boolean;
  /** OCI console socket: hands the pty master opened inside the container to the parent. */
  sendConsole?(master: number): void;
  /** OCI create hooks: lets the parent run prestart/createRuntime, then runs createContainer ones here. */
  createHooks?(hooks: HookSpec[]): void;
  /** The seccomp step's filter, installed by the exec step right before execve. */
  filter?: { program: Uint8Array; flags: number };
  /** The capability sets to end with once the filter is in (held back by holdForFilter), for --init. */
  finalCaps?: { effective: bigint; permitted: bigint; inheritable: bigint };
}
