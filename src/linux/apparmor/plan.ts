// The step that puts the container's program under an AppArmor profile. Written to the task's
// exec attribute, the profile takes effect at the execve of the user's program, not before: every
// later step is still bunbox's own, unconfined, and nothing needs to run inside the profile.
//
// Except where the container must die with the bunbox that runs it (a foreground run): when
// execve changes a task's label, AppArmor clears its parent-death signal
// (apparmor_bprm_committing_creds), and a `bunbox run` killed with -9 left its container running,
// unwatched. There the stage enters the profile at once (change_profile), so that execve keeps
// the label and the signal. The steps after it (session, seccomp, user, capabilities) need
// nothing the profile denies: it refuses mounts and writes to kernel knobs, none of which they do.
import type { Step } from "../steps.ts";

/** "unconfined" (or no profile) is no step at all: the program stays as unconfined as bunbox. */
export function planAppArmor(profile: string | undefined, why?: string, now = false): Step[] {
  if (!profile || profile === "unconfined") return [];
  const when = now ? "from here on, so that execve keeps the parent-death signal" : "from execve on";
  return [{ kind: "apparmor", profile, ...(now ? { now } : {}), concept: "security", why: why ?? `confined by the AppArmor profile ${profile} ${when} (mounts, kernel knobs in /proc and /sys denied)` }];
}
