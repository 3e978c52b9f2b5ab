// `runc create`'s cgroup made right after its early init is spawned (early-init.ts), from config.json
// read unchecked, on v1 and hybrid hosts: the kernel's grace period on the init's first move (5-30
// ms here) then passes while the bundle is checked, instead of after it. Only for values the checked
// create would write alike: a valid id, a cgroupfs path (not systemd's form), device rules of the
// spec's shape. ociCreate takes it only if the checked spec asks for the same place and rules.
import type { Sys } from "../../sys/sys.ts";
import type { CgroupHost } from "../../cgroups/layout.ts";
import type { LinuxResources } from "../../config/schema.ts";
import { startEarlyCgroup, readCgroupHost } from "../../runtime/early-cgroup.ts";
import { ociCgroupsPath, ociDevices } from "../../runtime/oci/cgroup-target.ts";
import { isOciId } from "../../runtime/oci/id.ts";
import type { SpawnedInit } from "../../runtime/spawn-init.ts";
import type { EarlyRunc } from "./early-init.ts";

type Device = NonNullable<LinuxResources["devices"]>[number];

/** Where and with which device rules the checked create will make the cgroup, if that is sure from the unchecked spec. */
export function earlyRuncCgroupTarget(early: Pick<EarlyRunc, "id" | "systemdCgroup" | "spec">): { cgroupsPath: string; devices: Device[] } | undefined {
  const { id, spec } = early;
  if (early.systemdCgroup || id === undefined || !isOciId(id)) return undefined;
  const path = spec.linux?.cgroupsPath;
  if (path !== undefined && typeof path !== "string") return undefined;
  const devices = spec.linux?.resources?.devices;
  if (devices !== undefined && !(Array.isArray(devices) && devices.every(isDeviceRule))) return undefined;
  let cgroupsPath: string;
  try {
    // As the checked create computes it; systemd's form without --systemd-cgroup is its refusal
    cgroupsPath = ociCgroupsPath(path, id, false, false);
  } catch {
    return undefined;
  }
  return { cgroupsPath, devices: ociDevices(devices as Device[] | undefined) };
}

/** A device cgroup rule of the spec's shape (config-linux.md: allow, type, major, minor, access). */
function isDeviceRule(d: unknown): boolean {
  if (typeof d !== "object" || d === null || Array.isArray(d)) return false;
  const r = d as Record<string, unknown>;
  const number = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= -1);
  return typeof r.allow === "boolean"
    && (r.type === undefined || r.type === "a" || r.type === "b" || r.type === "c")
    && number(r.major) && number(r.minor)
    && (r.access === undefined || (typeof r.access === "string" && /^[rwm]{1,3}$/.test(r.access)));
}

/**
 * The cgroup of `init` (just spawned) made and its move started, where the target is sure and the
 * host has v1 controllers. Returns the host's layout, read for it.
 */
export async function startEarlyRuncCgroup(sys: Sys, init: SpawnedInit, early: EarlyRunc): Promise<CgroupHost | undefined> {
  const target = earlyRuncCgroupTarget(early);
  if (!target) return undefined;
  const host = readCgroupHost();
  await startEarlyCgroup(init, early.id!, { sys, cgroupHost: host }, target);
  return host;
}
