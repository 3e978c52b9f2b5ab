// Writing an OCI LinuxResources document into a container's cgroup directories, for `create` and
// `update`. Only the common limits (memory, cpu, cpuset, pids, blkio weight, unified): the full
// driver lives on the cgroups branch (src/cgroups/limits.ts there) and replaces this on merge.
import { writeFileSync, existsSync } from "node:fs";
import type { LinuxResources } from "../../spec/schema.ts";
import { RuntimeError } from "../errors.ts";

type W = [file: string, value: string];

/** The writes for one hierarchy's directory, v1 (by controller in the path) or v2. */
export function resourceWrites(r: LinuxResources, dir: string, v2: boolean): W[] {
  const out: W[] = [];
  // Docker sends 0 for "not set" in most fields (runc skips those too)
  const set = (x: unknown) => x !== undefined && x !== null && Number(x) !== 0;
  const m = r.memory && Object.fromEntries(Object.entries(r.memory).filter(([, x]) => typeof x === "boolean" || set(x))) as NonNullable<LinuxResources["memory"]>;
  const c = r.cpu && Object.fromEntries(Object.entries(r.cpu).filter(([, x]) => typeof x === "string" ? x !== "" : set(x))) as NonNullable<LinuxResources["cpu"]>;
  const s = (x: unknown) => String(x);
  if (v2) {
    if (m?.limit !== undefined) out.push(["memory.max", Number(m.limit) < 0 ? "max" : s(m.limit)]);
    if (m?.reservation !== undefined) out.push(["memory.low", s(m.reservation)]);
    if (m?.swap !== undefined && m.limit !== undefined) {
      const swap = Number(m.swap) < 0 ? "max" : String(Math.max(0, Number(m.swap) - Number(m.limit ?? 0)));
      out.push(["memory.swap.max", swap]);
    }
    if (c?.shares !== undefined && Number(c.shares) > 0) out.push(["cpu.weight", String(Math.round(1 + ((Number(c.shares) - 2) * 9999) / 262142))]);
    if (c?.quota !== undefined || c?.period !== undefined) {
      out.push(["cpu.max", `${c?.quota !== undefined && Number(c.quota) > 0 ? c.quota : "max"} ${c?.period ?? 100000}`]);
    }
    if (c?.cpus) out.push(["cpuset.cpus", c.cpus]);
    if (c?.mems) out.push(["cpuset.mems", c.mems]);
    if (set(r.pids?.limit)) out.push(["pids.max", Number(r.pids.limit) <= 0 ? "max" : s(r.pids.limit)]);
    for (const [k, val] of Object.entries(r.unified ?? {})) out.push([k, val]);
    return out;
  }
  const is = (ctrl: string) => dir.split("/").some((p) => p.split(",").includes(ctrl));
  if (is("memory") && m) {
    const limit = m.limit !== undefined ? s(m.limit) : undefined;
    const swap = m.swap !== undefined ? s(m.swap) : undefined;
    // memsw must stay >= limit: the order of the two writes depends on the direction
    if (limit !== undefined) out.push(["memory.limit_in_bytes", limit]);
    if (swap !== undefined && existsSync(`${dir}/memory.memsw.limit_in_bytes`)) out.push(["memory.memsw.limit_in_bytes", swap]);
    if (m.reservation !== undefined) out.push(["memory.soft_limit_in_bytes", s(m.reservation)]);
    if (m.swappiness !== undefined && r.memory?.swappiness !== undefined) out.push(["memory.swappiness", s(m.swappiness)]);
    if (m.disableOOMKiller) out.push(["memory.oom_control", "1"]);
  }
  if (is("cpu") && c) {
    if (c.shares !== undefined && Number(c.shares) > 0) out.push(["cpu.shares", s(c.shares)]);
    if (c.period !== undefined && Number(c.period) > 0) out.push(["cpu.cfs_period_us", s(c.period)]);
    if (c.quota !== undefined && Number(c.quota) !== 0) out.push(["cpu.cfs_quota_us", s(c.quota)]);
  }
  if (is("cpuset") && c) {
    if (c.cpus) out.push(["cpuset.cpus", c.cpus]);
    if (c.mems) out.push(["cpuset.mems", c.mems]);
  }
  if (is("pids") && set(r.pids?.limit)) out.push(["pids.max", Number(r.pids.limit) <= 0 ? "max" : s(r.pids.limit)]);
  if (is("blkio") && set(r.blockIO?.weight)) out.push(["blkio.weight", s(r.blockIO.weight)]);
  return out;
}

/** Applies the writes; a memory pair refused in one order is retried in the other. */
export function applyResources(r: LinuxResources, dirs: { dir: string; v2: boolean }[]): void {
  for (const { dir, v2 } of dirs) {
    const writes = resourceWrites(r, dir, v2);
    const failed: W[] = [];
    for (const w of writes) {
      // v2: a controller not enabled for this cgroup has no files (a hybrid host's unified tree)
      if (v2 && !existsSync(`${dir}/${w[0]}`)) continue;
      try { writeFileSync(`${dir}/${w[0]}`, w[1]); } catch { failed.push(w); }
    }
    for (const [file, value] of failed) {
      try {
        writeFileSync(`${dir}/${file}`, value);
      } catch (e) {
        throw new RuntimeError(`failed to write ${JSON.stringify(value)} to ${dir}/${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
      }
    }
  }
}
