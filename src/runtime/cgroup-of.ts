// A container's cgroup as one object, rebuilt from what its record keeps (either front end's).
import { OwnedCgroup } from "../cgroups/owned.ts";
import { systemdScopes } from "../cgroups/systemd-scopes.ts";

export function cgroupOf(rec: { cgroupDirs?: string[]; cgroupUnit?: string }): OwnedCgroup {
  return new OwnedCgroup({ dirs: rec.cgroupDirs ?? [], ...(rec.cgroupUnit ? { unit: rec.cgroupUnit } : {}) }, systemdScopes);
}
