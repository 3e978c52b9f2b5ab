// The real SystemdScopes: bunbox's own D-Bus client talking to systemd (src/cgroups/systemd/).
import { CgroupError } from "./driver.ts";
import type { SystemdScopes } from "./systemd-scope.ts";

let scopes: SystemdScopes | undefined;

export function systemdScopes(): SystemdScopes {
  return (scopes ??= {
    startScope() { throw new CgroupError("the systemd cgroup manager is not available yet"); },
    stopUnit() { throw new CgroupError("the systemd cgroup manager is not available yet"); },
  });
}
