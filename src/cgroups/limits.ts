// OCI linux.resources → the files a cgroup driver writes, as data. Pure: the same records feed
// `--explain`, the unit tests and the drivers. v1 follows runc's fs driver, v2 runc's fs2
// conversions (cpu.weight from shares, io.weight from blkio weight, memory.swap.max = swap − limit).
import type { LinuxResources } from "../config/schema.ts";
// A cycle (driver.ts imports this file), safe: the class is only used when a limit is refused
import { CgroupError } from "./driver.ts";

export interface CgroupWrite {
  /** v1: the controller whose hierarchy holds the file; v2: the controller to enable ("" none). */
  controller: string;
  file: string;
  value: string;
  why: string;
  /** A file some kernels lack (swap accounting off, no BFQ): skipped, as Docker does, when absent. */
  optional?: boolean;
}

type R = LinuxResources;

export function v1Writes(r: R): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  const m = r.memory;
  if (m?.limit !== undefined && m.limit !== 0) w.push({ controller: "memory", file: "memory.limit_in_bytes", value: String(m.limit), why: "memory limit (-m)" });
  if (m?.swap !== undefined && m.swap !== 0) w.push({ controller: "memory", file: "memory.memsw.limit_in_bytes", value: String(m.swap), why: "memory+swap limit (--memory-swap)", optional: true });
  if (m?.reservation) w.push({ controller: "memory", file: "memory.soft_limit_in_bytes", value: String(m.reservation), why: "soft limit (--memory-reservation)" });
  if (m?.swappiness !== undefined) w.push({ controller: "memory", file: "memory.swappiness", value: String(m.swappiness), why: "swappiness" });
  if (m?.disableOOMKiller) w.push({ controller: "memory", file: "memory.oom_control", value: "1", why: "no OOM killer (disableOOMKiller): at the limit its tasks wait for memory" });
  const c = r.cpu;
  if (c?.shares) w.push({ controller: "cpu", file: "cpu.shares", value: String(c.shares), why: "relative CPU weight (--cpu-shares)" });
  if (c?.period) w.push({ controller: "cpu", file: "cpu.cfs_period_us", value: String(c.period), why: "CFS period" });
  if (c?.quota !== undefined && c.quota !== 0) w.push({ controller: "cpu", file: "cpu.cfs_quota_us", value: String(c.quota), why: `CPU time per period (--cpus ${cpusOf(c)})` });
  if (c?.cpus) w.push({ controller: "cpuset", file: "cpuset.cpus", value: c.cpus, why: "CPUs it may run on (--cpuset-cpus)" });
  if (c?.mems) w.push({ controller: "cpuset", file: "cpuset.mems", value: c.mems, why: "memory nodes (--cpuset-mems)" });
  if (r.pids) w.push({ controller: "pids", file: "pids.max", value: r.pids.limit > 0 ? String(r.pids.limit) : "max", why: "process count limit (--pids-limit)" });
  const b = r.blockIO;
  if (b?.weight) w.push({ controller: "blkio", file: "blkio.bfq.weight", value: String(b.weight), why: "I/O weight (--blkio-weight)", optional: true });
  for (const t of b?.throttleReadBpsDevice ?? []) w.push({ controller: "blkio", file: "blkio.throttle.read_bps_device", value: `${t.major}:${t.minor} ${t.rate}`, why: "read bytes/s (--device-read-bps)" });
  for (const t of b?.throttleWriteBpsDevice ?? []) w.push({ controller: "blkio", file: "blkio.throttle.write_bps_device", value: `${t.major}:${t.minor} ${t.rate}`, why: "write bytes/s (--device-write-bps)" });
  for (const t of b?.throttleReadIOPSDevice ?? []) w.push({ controller: "blkio", file: "blkio.throttle.read_iops_device", value: `${t.major}:${t.minor} ${t.rate}`, why: "read IO/s" });
  for (const t of b?.throttleWriteIOPSDevice ?? []) w.push({ controller: "blkio", file: "blkio.throttle.write_iops_device", value: `${t.major}:${t.minor} ${t.rate}`, why: "write IO/s" });
  for (const h of r.hugepageLimits ?? []) w.push({ controller: "hugetlb", file: `hugetlb.${h.pageSize}.limit_in_bytes`, value: String(h.limit), why: `${h.pageSize} huge pages limit` });
  if (r.network?.classID !== undefined) w.push({ controller: "net_cls", file: "net_cls.classid", value: String(r.network.classID), why: "network class id of its packets" });
  w.push(...rdmaWrites(r));
  for (const p of r.network?.priorities ?? []) w.push({ controller: "net_prio", file: "net_prio.ifpriomap", value: `${p.name} ${p.priority}`, why: `priority of its traffic on ${p.name}` });
  for (const d of r.devices ?? []) {
    const type = d.type ?? "a";
    const rule = type === "a" ? "a" : `${type} ${d.major === undefined || d.major === -1 ? "*" : d.major}:${d.minor === undefined || d.minor === -1 ? "*" : d.minor} ${d.access ?? "rwm"}`;
    w.push({ controller: "devices", file: d.allow ? "devices.allow" : "devices.deny", value: rule, why: d.allow ? "device allowed" : "device denied" });
  }
  return w;
}

/** runc's cgroups.ConvertCPUSharesToCgroupV2Value: [2, 262144] → [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** runc's ConvertBlkIOToIOWeightValue: [10, 1000] → [1, 10000]. */
export function blkioToIoWeight(w: number): number {
  return w === 0 ? 0 : Math.floor(1 + ((w - 10) * 9999) / 990);
}

export function v2Writes(r: R): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  const m = r.memory;
  // The runtime spec: a property that cannot be applied fails the creation
  if (m?.disableOOMKiller) throw new CgroupError("disableOOMKiller: cgroup v2 cannot turn off the OOM killer of a cgroup (memory.oom_control is cgroup v1's): remove it from linux.resources.memory");
  if (r.network) throw new CgroupError("linux.resources.network: cgroup v2 has no net_cls or net_prio controller (classID, priorities are cgroup v1's): remove it, or match the container's traffic by cgroup path (nftables socket cgroupv2)");
  if (m?.limit !== undefined && m.limit !== 0) {
    w.push({ controller: "memory", file: "memory.max", value: m.limit > 0 ? String(m.limit) : "max", why: "memory limit (-m)" });
  }
  if (m?.swap !== undefined && m.swap !== 0 && m.limit) {
    // OCI/Docker's swap is memory+swap; v2 limits swap alone
    const swapOnly = m.swap < 0 ? "max" : String(Math.max(0, m.swap - m.limit));
    w.push({ controller: "memory", file: "memory.swap.max", value: swapOnly, why: "swap beyond the memory limit (--memory-swap − -m)", optional: true });
  }
  if (m?.reservation) w.push({ controller: "memory", file: "memory.low", value: String(m.reservation), why: "protected memory (--memory-reservation)" });
  const c = r.cpu;
  if (c?.shares) w.push({ controller: "cpu", file: "cpu.weight", value: String(sharesToWeight(c.shares)), why: `relative CPU weight (--cpu-shares ${c.shares})` });
  if ((c?.quota !== undefined && c.quota !== 0) || c?.period) {
    const quota = c.quota !== undefined && c.quota > 0 ? String(c.quota) : "max";
    w.push({ controller: "cpu", file: "cpu.max", value: `${quota} ${c.period ?? 100000}`, why: `CPU time per period (--cpus ${cpusOf(c)})` });
  }
  if (c?.cpus) w.push({ controller: "cpuset", file: "cpuset.cpus", value: c.cpus, why: "CPUs it may run on (--cpuset-cpus)" });
  if (c?.mems) w.push({ controller: "cpuset", file: "cpuset.mems", value: c.mems, why: "memory nodes (--cpuset-mems)" });
  if (r.pids) w.push({ controller: "pids", file: "pids.max", value: r.pids.limit > 0 ? String(r.pids.limit) : "max", why: "process count limit (--pids-limit)" });
  const b = r.blockIO;
  if (b?.weight) w.push({ controller: "io", file: "io.weight", value: `default ${blkioToIoWeight(b.weight)}`, why: `I/O weight (--blkio-weight ${b.weight})`, optional: true });
  const io = new Map<string, string[]>();
  const add = (list: { major: number; minor: number; rate: number }[] | undefined, key: string) => {
    for (const t of list ?? []) io.set(`${t.major}:${t.minor}`, [...(io.get(`${t.major}:${t.minor}`) ?? []), `${key}=${t.rate}`]);
  };
  add(b?.throttleReadBpsDevice, "rbps");
  add(b?.throttleWriteBpsDevice, "wbps");
  add(b?.throttleReadIOPSDevice, "riops");
  add(b?.throttleWriteIOPSDevice, "wiops");
  for (const [dev, limits] of io) w.push({ controller: "io", file: "io.max", value: `${dev} ${limits.join(" ")}`, why: "I/O throttle (--device-read-bps/--device-write-bps)" });
  for (const h of r.hugepageLimits ?? []) w.push({ controller: "hugetlb", file: `hugetlb.${h.pageSize}.max`, value: String(h.limit), why: `${h.pageSize} huge pages limit` });
  w.push(...rdmaWrites(r));
  for (const [file, value] of Object.entries(r.unified ?? {})) w.push({ controller: file.split(".")[0]!, file, value, why: "linux.resources.unified" });
  return w;
}

/** rdma.max is the same file in v1 and v2: one line per device. */
function rdmaWrites(r: R): CgroupWrite[] {
  return Object.entries(r.rdma ?? {}).map(([device, l]) => {
    const limits = [l.hcaHandles !== undefined && `hca_handle=${l.hcaHandles}`, l.hcaObjects !== undefined && `hca_object=${l.hcaObjects}`].filter(Boolean);
    return { controller: "rdma", file: "rdma.max", value: `${device} ${limits.join(" ")}`, why: `RDMA limits of ${device}` };
  }).filter((w) => w.value.includes("="));
}

function cpusOf(c: NonNullable<R["cpu"]>): string {
  return c.quota && c.quota > 0 ? String(Math.round((c.quota / (c.period ?? 100000)) * 100) / 100) : "unlimited";
}

/** The v2 controllers the writes need, in the order the kernel lists them. */
export function v2Controllers(writes: CgroupWrite[]): string[] {
  const order = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"];
  const need = new Set(writes.map((w) => w.controller).filter((c) => c && c !== "cgroup"));
  return [...order.filter((c) => need.has(c)), ...[...need].filter((c) => !order.includes(c))];
}
