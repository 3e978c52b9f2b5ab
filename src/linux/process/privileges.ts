// The order run and exec share for dropping to the container's process: its user, then its
// capabilities, then no_new_privs, then the seccomp filter, last before execve (nothing of bunbox's
// own runs under a filter: runc's order, issue 17). One planner, so the two cannot drift apart.
import type { Step } from "../steps.ts";
import { planUser } from "./plan.ts";
import { planCapabilities, type CapabilitySets } from "./capabilities.ts";

export interface PrivilegeDrop {
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  capabilities?: CapabilitySets;
  noNewPrivileges?: boolean;
  /** The compiled filter's step, if the process has one. */
  filter?: Step;
  /** Steps that must follow set-user (a change of uid clears the parent-death signal). */
  afterUser?: Step[];
  /** Steps after no_new_privs and before the filter (stdin from /dev/null). */
  beforeFilter?: Step[];
}

export function planPrivilegeDrop(p: PrivilegeDrop): Step[] {
  return [
    // set-user keeps the permitted set (PR_SET_KEEPCAPS); the capability step then sets the final sets
    ...planUser(p.user),
    ...(p.afterUser ?? []),
    // Without no_new_privs, installing the filter needs CAP_SYS_ADMIN: held until the execve
    planCapabilities(p.capabilities ?? {}, p.filter !== undefined && !p.noNewPrivileges),
    ...(p.noNewPrivileges ? [{ kind: "no-new-privs", concept: "security", why: "setuid binaries cannot gain privileges" } as Step] : []),
    ...(p.beforeFilter ?? []),
    ...(p.filter ? [p.filter] : []),
  ];
}
