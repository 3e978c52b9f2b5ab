// Which cgroup manager places a container: systemd (a transient scope per container) where
// systemd runs the host's cgroup v2 tree, as Podman and Docker's systemd driver do; cgroupfs
// (bunbox makes the directories itself) everywhere else: v1 and hybrid hosts, and hosts or
// containers without systemd. --cgroup-manager (Podman's flag) overrides the choice.
import type { CgroupHost } from "./layout.ts";
import { CgroupError } from "./driver.ts";
import { checkSlice, DEFAULT_SLICE } from "./systemd-scope.ts";

export type CgroupManager = "systemd" | "cgroupfs";

export interface ManagerHost {
  cgroups: CgroupHost;
  /** sd_booted(): /run/systemd/system exists. */
  systemdBooted: boolean;
}

export function chooseManager(asked: string | undefined, host: ManagerHost): CgroupManager {
  const v2 = host.cgroups.mode === "v2";
  if (asked === undefined) return v2 && host.systemdBooted ? "systemd" : "cgroupfs";
  if (asked === "cgroupfs") return asked;
  if (asked !== "systemd") throw new CgroupError(`invalid --cgroup-manager ${JSON.stringify(asked)}: use systemd or cgroupfs`);
  if (!host.systemdBooted) throw new CgroupError("--cgroup-manager systemd: systemd is not running on this host (no /run/systemd/system): use --cgroup-manager cgroupfs");
  if (!v2) throw new CgroupError(`--cgroup-manager systemd: this host's cgroups are ${host.cgroups.mode}, and bunbox's systemd manager needs cgroup v2 alone: use --cgroup-manager cgroupfs`);
  return asked;
}

/**
 * The spec's cgroupsPath: runc's `slice:prefix:name` for systemd (--cgroup-parent is then a slice,
 * as Docker's systemd driver takes it), else a path (absolute: from the hierarchy's root).
 */
export function cgroupsPathFor(manager: CgroupManager, id: string, parent?: string): string {
  if (manager === "systemd") return `${checkSlice(parent ?? DEFAULT_SLICE)}:bunbox:${id}`;
  return parent ? `${parent.replace(/\/+$/, "")}/${id}` : `bunbox/${id}`;
}
