// What a container's cgroup says about it, read from its directories alone (a record keeps them),
// so another bunbox process (stats, rm) needs no knowledge of the layout: each directory tells its
// version by its files (memory.events is v2, memory.oom_control v1).
import { read } from "./driver.ts";

export interface OomInfo {
  killed: boolean;
  /** The memory limit in bytes, if one was set. */
  limit?: number;
}

const UNLIMITED_V1 = 2 ** 62; // v1 reports "no limit" as PAGE_COUNTER_MAX × page size (≈ 2^63)

function kv(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) m.set(k, Number(v));
  }
  return m;
}

function num(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

const MEMORY_DIR = /\/memory[,/]/;

/**
 * Did the kernel's OOM killer kill a process of this cgroup for its memory limit? v2: memory.events
 * `oom_kill`; v1: memory.oom_control `oom_kill` (kernels ≥ 4.13), else memory.failcnt with the
 * usage at the limit.
 */
export function readOom(dirs: string[]): OomInfo {
  // The memory controller's directory first (v1: its own hierarchy's): the others have no
  // memory files, and looking in each cost two failed opens on every container's exit
  for (const d of dirs.toSorted((a, b) => Number(MEMORY_DIR.test(b)) - Number(MEMORY_DIR.test(a)))) {
    const events = read(`${d}/memory.events`);
    if (events) {
      const limit = num(read(`${d}/memory.max`));
      return { killed: (kv(events).get("oom_kill") ?? 0) > 0, ...(limit !== undefined ? { limit } : {}) };
    }
    const control = read(`${d}/memory.oom_control`);
    if (control) {
      const raw = num(read(`${d}/memory.limit_in_bytes`));
      const limit = raw !== undefined && raw < UNLIMITED_V1 ? raw : undefined;
      const c = kv(control);
      const killed = c.has("oom_kill")
        ? c.get("oom_kill")! > 0
        : (num(read(`${d}/memory.failcnt`)) ?? 0) > 0 && limit !== undefined && (num(read(`${d}/memory.max_usage_in_bytes`)) ?? 0) >= limit;
      return { killed, ...(limit !== undefined ? { limit } : {}) };
    }
  }
  return { killed: false };
}

export interface CgroupStats {
  /** Total CPU time used, in nanoseconds. */
  cpuNs: number;
  /** Memory in use, without the inactive file cache (as docker stats counts it). */
  memUsage: number;
  /** The memory limit, or undefined when unlimited. */
  memLimit?: number;
  pids: number;
  blkRead: number;
  blkWrite: number;
}

export function readStats(dirs: string[]): CgroupStats {
  const s: CgroupStats = { cpuNs: 0, memUsage: 0, pids: 0, blkRead: 0, blkWrite: 0 };
  for (const d of dirs) {
    // v2: every controller's files in the one directory
    const cpuStat = read(`${d}/cpu.stat`);
    if (read(`${d}/cgroup.controllers`) !== "" || existsV2(d)) {
      const usage = kv(cpuStat).get("usage_usec");
      if (usage !== undefined) s.cpuNs = Math.max(s.cpuNs, usage * 1000);
      const cur = num(read(`${d}/memory.current`));
      if (cur !== undefined) {
        s.memUsage = Math.max(0, cur - (kv(read(`${d}/memory.stat`)).get("inactive_file") ?? 0));
        const max = num(read(`${d}/memory.max`));
        if (max !== undefined) s.memLimit = max;
      }
      const pids = num(read(`${d}/pids.current`));
      if (pids !== undefined) s.pids = pids;
      for (const line of read(`${d}/io.stat`).split("\n")) {
        s.blkRead += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
        s.blkWrite += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
      }
      continue;
    }
    // v1: one controller per directory
    const acct = num(read(`${d}/cpuacct.usage`));
    if (acct !== undefined) s.cpuNs = acct;
    const usage = num(read(`${d}/memory.usage_in_bytes`));
    if (usage !== undefined) {
      s.memUsage = Math.max(0, usage - (kv(read(`${d}/memory.stat`)).get("total_inactive_file") ?? 0));
      const limit = num(read(`${d}/memory.limit_in_bytes`));
      if (limit !== undefined && limit < UNLIMITED_V1) s.memLimit = limit;
    }
    const pids = num(read(`${d}/pids.current`));
    if (pids !== undefined) s.pids = pids;
    const io = read(`${d}/blkio.throttle.io_service_bytes_recursive`) || read(`${d}/blkio.throttle.io_service_bytes`);
    for (const line of io.split("\n")) {
      const [, op, v] = line.trim().split(/\s+/);
      if (op === "Read") s.blkRead += Number(v ?? 0);
      if (op === "Write") s.blkWrite += Number(v ?? 0);
    }
  }
  return s;
}

function existsV2(d: string): boolean {
  return read(`${d}/cgroup.type`) !== "";
}
