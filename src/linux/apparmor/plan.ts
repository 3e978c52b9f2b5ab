// The step that puts the container's program under an AppArmor profile. Written to the task's
// exec attribute, the profile takes effect at the execve of the user's program, not before: every
// later step is still bunbox's own, unconfined, and nothing needs to run inside the profile.
import type { Step } from "../steps.ts";

/** "unconfined" (or no profile) is no step at all: the program stays as unconfined as bunbox. */
export function planAppArmor(profile: string | undefined, why = `confined by the AppArmor profile ${profile} from execve on (mounts, kernel knobs in /proc and /sys denied)`): Step[] {
  if (!profile || profile === "unconfined") return [];
  return [{ kind: "apparmor", profile, concept: "security", why }];
}
