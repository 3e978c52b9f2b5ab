// While an exec stage starts in a container whose processes hold CAP_SYS_PTRACE, the container
// is kept frozen: the stage is already in the container's pid namespace but, until its plan has
// moved it in, runs with the host's root and every capability, and CAP_SYS_PTRACE passes the
// kernel's ptrace checks whatever PR_SET_DUMPABLE says (/proc/<pid>/root would be the host's).
import { openat, flock, close, unlinkat, LOCK_EX } from "../sys/fsat.ts";
import { existsSync } from "../sys/files.ts";
import type { OwnedCgroup } from "../cgroups/owned.ts";
import { RuntimeError } from "./errors.ts";
import { exitStatus } from "./exit-status.ts";
import { AT, O } from "../sys/constants.ts";

export interface ExecFreeze {
  /** Thaws (once): the stage is inside, confined, and in the container's cgroup. */
  thaw(): void;
  /** Thaws if not yet, forgets the signal handlers, lets the next exec freeze. */
  release(): void;
}

/** The signals that end bunbox by default and that a user sends (Ctrl-C, kill, a closed terminal). */
const ENDING = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const;

/**
 * Freezes the cgroup and confirms it, one exec at a time per container (`lockPath`): another exec's
 * thaw must not end this one's window. No freezer, or not frozen in time: the exec is refused.
 */
export async function freezeForExec(name: string, cgroup: OwnedCgroup, lockPath: string): Promise<ExecFreeze> {
  const lock = openat(AT.FDCWD, lockPath, O.CREAT | O.WRONLY | O.CLOEXEC, 0o600);
  flock(lock, LOCK_EX);
  // Present while a window is open: if it is still there now, the exec that made it was killed
  // (kill -9) before it could thaw, and the freeze is ours to undo
  const marker = `${lockPath}.frozen`;
  if (existsSync(marker)) {
    cgroup.thaw();
    unlinkat(AT.FDCWD, marker);
  }
  // Holding the lock, no other exec is in its window: frozen now means paused by the user
  if (cgroup.isFrozen()) {
    close(lock);
    throw new RuntimeError(`container ${name} is paused, unpause the container before exec`, 1);
  }
  let thawed = false, released = false;
  // The marker goes first: a kill between the two leaves a container that looks paused (unpause
  // ends it), never a marker that would make a later exec undo the user's own pause
  const thawOnce = () => {
    if (thawed) return;
    thawed = true;
    try { unlinkat(AT.FDCWD, marker); } catch { /* never made */ }
    cgroup.thaw();
  };
  // Before the freezer is written: a signal that would end bunbox thaws first
  const offs = ENDING.map((sig) => {
    const handler = () => { thawOnce(); process.exit(exitStatus(null, sig)); };
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  const release = () => {
    if (released) return;
    released = true;
    thawOnce();
    offs.forEach((off) => off());
    close(lock);
  };
  close(openat(AT.FDCWD, marker, O.CREAT | O.WRONLY | O.CLOEXEC, 0o600));
  if (!(await cgroup.freezeConfirmed())) {
    release(); // freezeConfirmed thawed it already (or there was nothing to freeze): thawing again is harmless
    throw new RuntimeError(`cannot exec in container ${name}: it holds CAP_SYS_PTRACE, and its cgroup could not be frozen while the exec stage starts`, 1);
  }
  return { thaw: thawOnce, release };
}
