// The real SystemdScopes: bunbox's own D-Bus client talking to systemd (src/cgroups/systemd/).
import type { SystemdScopes } from "./systemd-scope.ts";
import { startScope, stopUnit } from "./systemd/scope.ts";

export function systemdScopes(): SystemdScopes {
  return {
    startScope: (req) => startScope(req),
    stopUnit: (unit) => stopUnit(unit),
  };
}
