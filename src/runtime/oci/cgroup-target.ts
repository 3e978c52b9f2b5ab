// Where a `runc create` puts the container's cgroup and which device rules it starts with: runc's
// rules, in a module of their own so that the early cgroup (cli/runc/early-init.ts) and the checked
// create (create.ts) compute them alike, and the early path loads nothing more.
import { parseSystemdPath } from "../../cgroups/systemd-scope.ts";
import { RuntimeError } from "../errors.ts";
import type { LinuxResources } from "../../config/schema.ts";

/** runc's defaults added after the spec's device rules: what /dev and a pty need (specconv.AllowedDevices). */
export const RUNC_ALLOWED_DEVICES = [
  { allow: true, type: "c", access: "m" }, { allow: true, type: "b", access: "m" },
  ...[[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [5, 1], [5, 2], [10, 200]].map(([major, minor]) => ({ allow: true, type: "c", major, minor, access: "rwm" })),
  { allow: true, type: "c", major: 136, access: "rwm" },
] as NonNullable<LinuxResources["devices"]>;

/** runc's rules: with --systemd-cgroup the path is slice:prefix:name (by default system.slice:bunbox:ID), without it a path. */
export function ociCgroupsPath(path: string | undefined, id: string, systemd: boolean, systemdBooted: boolean): string {
  const scope = parseSystemdPath(path);
  if (systemd) {
    if (!systemdBooted) throw new RuntimeError("--systemd-cgroup: systemd is not running on this host (no /run/systemd/system): leave the flag out, bunbox then makes the cgroup itself", 1);
    if (path === undefined || path === "") return `system.slice:bunbox:${id}`;
    if (!scope) throw new RuntimeError(`expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, got ${JSON.stringify(path)} instead`, 1);
    return path;
  }
  if (scope) throw new RuntimeError(`cgroupsPath ${JSON.stringify(path)} is in the systemd form (slice:prefix:name): pass --systemd-cgroup, as to runc, or give a path`, 1);
  return path || `bunbox/${id}`;
}

/** The spec's device rules with runc's defaults after them, as the cgroup gets them. */
export function ociDevices(devices: LinuxResources["devices"]): NonNullable<LinuxResources["devices"]> {
  return [...(devices ?? []), ...RUNC_ALLOWED_DEVICES];
}
