// The last steps before the user's program: limits, identity, working directory, execve.
import { RLIMIT } from "../../sys/constants.ts";
import type { Step } from "../steps.ts";

export interface Rlimit { type: string; soft: number | bigint; hard: number | bigint }

export function planRlimits(rlimits: Rlimit[] = []): Step[] {
  return rlimits.map((r) => {
    const resource = RLIMIT[r.type];
    if (resource === undefined) throw new Error(`unknown rlimit ${r.type}`);
    return { kind: "rlimit", name: r.type, resource, soft: rlim(r.soft), hard: rlim(r.hard), concept: "process", why: `${r.type} ${r.soft}:${r.hard}` } satisfies Step;
  });
}

/** A JSON uint64 of 2^64-1 (RLIM_INFINITY, docker's -1) arrives as the double 2^64: clamp it. */
function rlim(v: number | bigint): string {
  return BigInt(v) >= 0xffffffffffffffffn ? "18446744073709551615" : String(v);
}

/**
 * The program's session, placed before the seccomp filter as runc does (a profile need not allow
 * setsid). With -t the pty is its controlling terminal; without, a session of its own with none.
 */
export function planSession(terminal: boolean | undefined): Step {
  return terminal
    ? { kind: "controlling-tty", concept: "process", why: "-t: a new session whose controlling terminal is the container's pty (Ctrl-C reaches it)" }
    : { kind: "new-session", concept: "security", why: "a session of its own, no controlling terminal: no keystrokes pushed into bunbox's terminal (TIOCSTI)" };
}

/**
 * The kernel's keyrings are not namespaced: without this the container shares the session keyring
 * of whoever ran bunbox (an admin's keys, readable with seccomp=unconfined). A fresh anonymous one,
 * as runc joins; before the filter, which refuses keyctl.
 */
export function planKeyring(): Step {
  return { kind: "session-keyring", concept: "security", why: "a session keyring of its own: the keys of whoever ran bunbox stay on the host" };
}

export function planUser(user: { uid: number; gid: number; additionalGids?: number[]; umask?: number }): Step[] {
  const steps: Step[] = [];
  // The init stage works with umask 0 (exact modes for the nodes it makes); the program gets
  // the spec's umask, or 0022 as runc gives
  const mask = user.umask ?? 0o022;
  steps.push({ kind: "umask", mask, concept: "process", why: `umask ${mask.toString(8).padStart(4, "0")}${user.umask === undefined ? " (default)" : ""}` });
  steps.push({
    kind: "set-user", uid: user.uid, gid: user.gid, additionalGids: user.additionalGids ?? [],
    concept: "process", why: user.uid === 0 ? "root inside the container (capabilities still limited)" : `run as uid ${user.uid}`,
  });
  return steps;
}
