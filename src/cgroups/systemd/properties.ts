// Container resource limits as systemd unit properties (systemd.resource-control(5)), for the
// ones that map one to one onto a cgroup v2 file; systemd then writes the file itself and keeps
// it across daemon-reload. Pure.
import { variant, type Variant } from "./dbus-wire.ts";

export interface ScopeResources {
  /** memory.max, bytes. */
  memoryMax?: bigint | number;
  /** memory.high, bytes. */
  memoryHigh?: bigint | number;
  /** memory.low, bytes (Docker's --memory-reservation). */
  memoryLow?: bigint | number;
  /** memory.swap.max, bytes (swap alone, not memory+swap as Docker's --memory-swap). */
  memorySwapMax?: bigint | number;
  /** pids.max. */
  tasksMax?: bigint | number;
  /** cpu.max's quota as CPU time per second of wall time, µs: --cpus 0.5 is 500000. */
  cpuQuotaPerSecUSec?: bigint | number;
  /** cpu.max's period, µs (systemd's default 100000, as the kernel's). */
  cpuQuotaPeriodUSec?: bigint | number;
  /** cpu.weight, 1..10000. */
  cpuWeight?: bigint | number;
  /** io.weight, 1..10000. */
  ioWeight?: bigint | number;
  /** cpuset.cpus, as CPU numbers. */
  allowedCPUs?: number[];
  /** cpuset.mems, as NUMA node numbers. */
  allowedMemoryNodes?: number[];
}

/** "infinity" on systemd's side: no limit. */
export const UNLIMITED = (1n << 64n) - 1n;

const U64: [keyof ScopeResources, string][] = [
  ["memoryMax", "MemoryMax"],
  ["memoryHigh", "MemoryHigh"],
  ["memoryLow", "MemoryLow"],
  ["memorySwapMax", "MemorySwapMax"],
  ["tasksMax", "TasksMax"],
  ["cpuQuotaPerSecUSec", "CPUQuotaPerSecUSec"],
  ["cpuQuotaPeriodUSec", "CPUQuotaPeriodUSec"],
  ["cpuWeight", "CPUWeight"],
  ["ioWeight", "IOWeight"],
];

export function unitProperties(r: ScopeResources): [string, Variant][] {
  const out: [string, Variant][] = [];
  for (const [key, name] of U64) {
    const v = r[key] as bigint | number | undefined;
    if (v === undefined) continue;
    const n = typeof v === "number" ? (Number.isSafeInteger(v) ? BigInt(v) : -1n) : v;
    if (n < 0n || n > UNLIMITED) throw new Error(`systemd: ${name} must be a whole number in 0..2^64-1, not ${v}`);
    out.push([name, variant("t", n)]);
  }
  if (r.allowedCPUs) out.push(["AllowedCPUs", variant("ay", cpuMask(r.allowedCPUs))]);
  if (r.allowedMemoryNodes) out.push(["AllowedMemoryNodes", variant("ay", cpuMask(r.allowedMemoryNodes))]);
  return out;
}

/** systemd's CPU set on the wire: byte i, bit j (least significant first) is CPU 8i+j. */
export function cpuMask(cpus: number[]): number[] {
  const bytes: number[] = [];
  for (const c of cpus) {
    if (!Number.isInteger(c) || c < 0 || c > 8191) throw new Error(`systemd: CPU or node number ${c} out of range`);
    const i = c >> 3;
    while (bytes.length <= i) bytes.push(0);
    bytes[i]! |= 1 << (c & 7);
  }
  return bytes;
}

/** A cpuset list as cgroups and --cpuset-cpus write it ("0-2,5") to its numbers. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid CPU list "${list}"`);
    const lo = Number(m[1]), hi = Number(m[2] ?? m[1]);
    if (hi < lo || hi > 8191) throw new Error(`invalid CPU list "${list}"`);
    for (let c = lo; c <= hi; c++) out.push(c);
  }
  return out;
}
