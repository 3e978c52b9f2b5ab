// Creates, joins and removes a container's cgroups: one directory per hierarchy. bunbox only ever
// writes into directories it created (below `bunbox/` under its own cgroup, or the spec's absolute
// cgroupsPath); it never touches the cgroup it was started in.
import { mkdirSync, writeFileSync, readFileSync, rmdirSync, existsSync } from "node:fs";
import type { CgroupHost, Hierarchy } from "./layout.ts";

export interface DeviceRule { allow: boolean; type?: string; major?: number | null; minor?: number | null; access?: string }

export interface ContainerCgroup {
  /** Host directory of the container's cgroup in each hierarchy. */
  dirs: { hierarchy: Hierarchy; dir: string }[];
}

/** The directory relative cgroupsPaths hang below: this process's own cgroup in `h`. */
function baseDir(h: Hierarchy, cgroupsPath: string): string {
  const own = h.mountRoot !== "/" && h.current.startsWith(h.mountRoot) ? h.current.slice(h.mountRoot.length) : h.current;
  return `${h.mountpoint}/${cgroupsPath.startsWith("/") ? "" : own}`.replace(/\/+/g, "/").replace(/\/$/, "");
}

/** Host directory for `cgroupsPath` in one hierarchy. Relative paths go below this process's cgroup. */
export function cgroupDir(h: Hierarchy, cgroupsPath: string): string {
  return `${baseDir(h, cgroupsPath)}/${cgroupsPath}`.replace(/\/+/g, "/").replace(/\/$/, "");
}

export function createCgroup(host: CgroupHost, cgroupsPath: string, devices: DeviceRule[]): ContainerCgroup {
  const dirs: ContainerCgroup["dirs"] = [];
  try {
    for (const h of host.hierarchies) {
      const dir = cgroupDir(h, cgroupsPath);
      mkdirWithCpuset(h, baseDir(h, cgroupsPath), dir);
      dirs.push({ hierarchy: h, dir });
      if (h.controllers.includes("devices")) writeDeviceRules(dir, devices);
    }
  } catch (e) {
    removeCgroup({ dirs });
    throw e;
  }
  return { dirs };
}

/** mkdir -p, copying cpuset.cpus/mems into each new v1 cpuset directory (empty ones refuse tasks). */
function mkdirWithCpuset(h: Hierarchy, from: string, dir: string): void {
  const parts = dir.slice(from.length).split("/").filter(Boolean);
  let cur = from;
  for (const p of parts) {
    const parentDir = cur;
    cur = `${cur}/${p}`;
    if (existsSync(cur)) continue;
    mkdirSync(cur);
    if (h.controllers.includes("cpuset")) {
      for (const f of ["cpuset.cpus", "cpuset.mems"]) {
        writeFileSync(`${cur}/${f}`, readFileSync(`${parentDir}/${f}`, "utf8").trim() || "\n");
      }
    }
  }
}

function writeDeviceRules(dir: string, rules: DeviceRule[]): void {
  for (const r of rules) {
    const type = r.type ?? "a";
    const rule = type === "a" ? "a" : `${type} ${r.major ?? "*"}:${r.minor ?? "*"} ${r.access ?? "rwm"}`;
    writeFileSync(`${dir}/${r.allow ? "devices.allow" : "devices.deny"}`, rule);
  }
}

export function joinCgroup(cg: ContainerCgroup, pid: number): void {
  for (const { dir } of cg.dirs) writeFileSync(`${dir}/cgroup.procs`, String(pid));
}

/** Removes the container's directories (deepest first); a busy one is retried briefly. */
export function removeCgroup(cg: ContainerCgroup): void {
  for (const { dir } of cg.dirs) {
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        if (code !== "EBUSY" || attempt >= 50) throw e;
        Bun.sleepSync(2);
      }
    }
  }
}
