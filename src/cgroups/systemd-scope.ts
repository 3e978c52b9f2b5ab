// The systemd cgroup manager: on a host where systemd runs cgroup v2 (Ubuntu, Debian, Fedora), a
// container's cgroup is a transient scope that systemd makes for it (`bunbox-<id>.scope`,
// Delegate=yes), as Podman and Docker's systemd driver do. A login shell's or a service's own
// cgroup holds processes, and cgroup v2 gives the children of such a cgroup no controllers: only
// the owner of the tree can make a place that has them. systemd owns the scope's attributes and
// rewrites them on daemon-reload, so the limits go to it as unit properties, and to the files too
// (what systemd has no property for: io.max throttles, linux.resources.unified; and the device
// rules, a BPF program of bunbox's own attached to the scope's cgroup).
import type { CgroupHost } from "./layout.ts";
import type { LinuxResources } from "../config/schema.ts";
import { v2Controllers, sharesToWeight, blkioToIoWeight } from "./limits.ts";
import { UNLIMITED, parseCpuList, type ScopeResources } from "./systemd/properties.ts";
import { CgroupError, read, writeLimits, v2PlannedWrites, type ContainerCgroup, type DeviceFilterAttach } from "./driver.ts";
import { LEAF, mirrored } from "./nesting.ts";
import { mkdirSync, writeFileSync } from "../sys/files.ts";

/** runc's systemd form of cgroupsPath: `slice:prefix:name`. */
export interface SystemdPath { slice: string; prefix: string; name: string }

/** What bunbox asks of systemd (systemd/scope.ts over D-Bus is the real one; tests record). */
export interface SystemdScopes {
  /** Starts the scope holding `pids`, waits for its job, returns its cgroup ("/bunbox.slice/x.scope"). */
  startScope(req: { unit: string; slice: string; pids: number[]; description: string; resources: ScopeResources }): string;
  /** Stops the unit and waits for it; a unit that does not exist is not an error. */
  stopUnit(unit: string): void;
}

export const DEFAULT_SLICE = "bunbox.slice";

export function parseSystemdPath(cgroupsPath: string | undefined): SystemdPath | undefined {
  if (!cgroupsPath || cgroupsPath.startsWith("/")) return undefined;
  const parts = cgroupsPath.split(":");
  if (parts.length !== 3) return undefined;
  const [slice, prefix, name] = parts as [string, string, string];
  return { slice, prefix, name };
}

/** The scope's unit name, as runc names it: `prefix-name.scope` (`name` alone if it is a slice). */
export function unitName(p: SystemdPath): string {
  if (p.name.endsWith(".slice")) return p.name;
  return p.prefix ? `${p.prefix}-${p.name}.scope` : `${p.name}.scope`;
}

/** A slice name systemd accepts: no "/", ends in .slice (Docker's rule for --cgroup-parent). */
export function checkSlice(slice: string): string {
  const s = slice || "system.slice";
  if (!/^[A-Za-z0-9:_.\\-]+\.slice$/.test(s) || s.includes("/")) {
    throw new CgroupError(`cgroup parent ${JSON.stringify(slice)}: with the systemd cgroup manager it is a slice name such as my.slice (or use --cgroup-manager cgroupfs for a path)`);
  }
  return s;
}

/** Where systemd puts a slice's cgroup: each dash a level ("a-b.slice" → /a.slice/a-b.slice). */
export function slicePath(slice: string): string {
  if (slice === "-.slice") return "";
  const parts = slice.slice(0, -".slice".length).split("-");
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join("-")}.slice`).join("");
}

/** The cgroup systemd will give the scope (what --explain shows before systemd is asked). */
export function expectedScopeDir(host: CgroupHost, p: SystemdPath): string {
  const v2 = host.hierarchies.find((h) => h.version === 2);
  return `${v2?.mountpoint ?? "/sys/fs/cgroup"}${slicePath(checkSlice(p.slice))}/${unitName(p)}`;
}

/**
 * The limits as unit properties, so that systemd keeps them: it rewrites its scopes' files on
 * daemon-reload (seen: a pids.max of 32 written to the file went back to its TasksMax of 3554).
 * Without --pids-limit, no cap (systemd's DefaultTasksMax would give one), as Docker and Podman.
 */
export function scopeResources(r: LinuxResources): ScopeResources {
  const out: ScopeResources = { tasksMax: r.pids && r.pids.limit > 0 ? r.pids.limit : UNLIMITED };
  const m = r.memory;
  if (m?.limit !== undefined && m.limit !== 0) out.memoryMax = m.limit > 0 ? m.limit : UNLIMITED;
  if (m?.reservation) out.memoryLow = m.reservation;
  if (m?.swap !== undefined && m.swap !== 0 && m.limit) out.memorySwapMax = m.swap < 0 ? UNLIMITED : Math.max(0, m.swap - m.limit);
  const c = r.cpu;
  if (c?.quota !== undefined && c.quota > 0) {
    const period = c.period ?? 100000;
    // systemd keeps CPU time per second in steps of 10 ms; rounded up, as runc does
    out.cpuQuotaPerSecUSec = Math.ceil((c.quota * 1_000_000) / period / 10_000) * 10_000;
    if (c.period) out.cpuQuotaPeriodUSec = period;
  }
  if (c?.shares) out.cpuWeight = sharesToWeight(c.shares);
  if (c?.cpus) out.allowedCPUs = parseCpuList(c.cpus);
  if (c?.mems) out.allowedMemoryNodes = parseCpuList(c.mems);
  if (r.blockIO?.weight) out.ioWeight = blkioToIoWeight(r.blockIO.weight);
  return out;
}

export interface ScopeOptions {
  host: CgroupHost;
  scopes: SystemdScopes;
  path: SystemdPath;
  resources: LinuxResources;
  /** The container's init: the scope is made with it inside (a scope cannot be empty). */
  pid: number;
  description: string;
  attachDevices?: DeviceFilterAttach;
  /** Prefixes cgroupfs paths (tests). */
  root?: string;
}

export function createScope(o: ScopeOptions): ContainerCgroup {
  const v2 = o.host.hierarchies.find((h) => h.version === 2);
  if (o.host.mode !== "v2" || !v2) throw new CgroupError("the systemd cgroup manager needs a host with cgroup v2 alone (this one has v1 hierarchies): use --cgroup-manager cgroupfs");
  const unit = unitName(o.path);
  const slice = checkSlice(o.path.slice);
  const group = o.scopes.startScope({ unit, slice, pids: [o.pid], description: o.description, resources: scopeResources(o.resources) });
  const dir = `${o.root ?? ""}${v2.mountpoint}${group}`.replace(/\/+/g, "/");
  const cg: ContainerCgroup = { dirs: [dir], unit };
  try {
    const writes = v2PlannedWrites(dir, o.resources);
    // Delegate=yes: systemd enables every controller the slice can give; say which one is missing
    const have = read(`${dir}/cgroup.controllers`).split(/\s+/);
    const missing = v2Controllers(writes).filter((c) => !have.includes(c));
    if (missing.length) throw new CgroupError(`cgroup v2 controller "${missing[0]}" is not available in ${dir} (cgroup.controllers: ${have.join(" ").trim() || "none"}): systemd did not delegate it to the scope`);
    // The init moves into the scope's child (nesting.ts); the scope, empty of processes, can then
    // give the child its controllers
    const leaf = `${dir}/${LEAF}`;
    mkdirSync(leaf);
    writeFileSync(`${leaf}/cgroup.procs`, String(o.pid));
    for (const c of new Set([...v2Controllers(writes), "cpu", "io", "memory", "pids"])) {
      if (!have.includes(c)) continue;
      try {
        writeFileSync(`${dir}/cgroup.subtree_control`, `+${c}`);
      } catch (e) {
        if (v2Controllers(writes).includes(c)) throw new CgroupError(`cannot enable the cgroup v2 controller "${c}" in ${dir}: ${(e as Error).message}`);
      }
    }
    writeLimits([...writes, ...mirrored(writes, leaf)]);
    for (const w of writes) {
      if (!w.program) continue;
      if (!o.attachDevices) throw new CgroupError("device rules on cgroup v2 need a device filter attacher (bug: the caller passed none)");
      o.attachDevices(dir, w.program);
    }
  } catch (e) {
    try { o.scopes.stopUnit(unit); } catch { /* gc stops it */ }
    throw e;
  }
  return cg;
}
