// Docker's resource flags (-m, --cpus, --pids-limit, --ulimit …) → OCI linux.resources, rlimits and
// oomScoreAdj, with Docker's units, defaults and checks. Pure: the host facts it needs (CPUs and
// memory nodes it has, device numbers of paths) come in as arguments. Every bad value fails here,
// before anything is created, as one UsageError line (exit 125).
import { UsageError } from "./errors.ts";
import type { LinuxResources } from "./schema.ts";

export interface ResourceFlags {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  blkioWeight?: string;
  deviceReadBps: string[];
  deviceWriteBps: string[];
  oomScoreAdj?: string;
  ulimits: string[];
}

export interface ResourceHost {
  /** Online CPUs, e.g. "0-3" (/sys/devices/system/cpu/online or the parent cpuset). */
  cpus: string;
  /** Memory nodes, e.g. "0". */
  mems: string;
  /** Major/minor of a block device path, or undefined if it is not one. */
  blockDevice(path: string): { major: number; minor: number } | undefined;
}

export interface ResourceSpec {
  resources: LinuxResources;
  rlimits: { type: string; soft: number; hard: number }[];
  oomScoreAdj?: number;
}

/** Docker's minimum for -m and --memory-reservation (linuxMinMemory). */
export const MIN_MEMORY = 6 * 1024 * 1024;
/** The CFS period Docker uses for --cpus. */
export const CPU_PERIOD = 100_000;

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker/go-units RAMInBytes: "64m", "1.5g", "512", "2 GiB", binary multiples. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return /^\d+b$/i.test(text.trim()) ? Number(text.trim().slice(0, -1)) : undefined;
  const n = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  return Number.isSafeInteger(n) ? n : undefined;
}

function bytesFlag(flag: string, text: string): number {
  const n = parseBytes(text);
  if (n === undefined) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: invalid size: '${text}' (use a number with an optional unit b, k, m or g)`);
  return n;
}

function intFlag(flag: string, text: string, min = -Infinity, max = Infinity): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: not an integer`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`invalid argument "${text}" for "${flag}" flag: out of range (${min === -Infinity ? "" : min}..${max === Infinity ? "" : max})`);
  }
  return n;
}

/** "0-2,4" → [0,1,2,4]; undefined if the syntax is wrong. */
export function parseCpuList(text: string): number[] | undefined {
  const out = new Set<number>();
  if (text.trim() === "") return [];
  for (const part of text.trim().split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 65536) return undefined;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

function cpusetFlag(flag: string, what: string, text: string, available: string): string {
  const want = parseCpuList(text);
  if (!want || want.length === 0) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: expected a list like 0-2,4`);
  const have = new Set(parseCpuList(available) ?? []);
  const missing = want.filter((c) => !have.has(c));
  if (missing.length) throw new UsageError(`requested ${what} are not available - requested ${text}, available: ${available}`);
  return text.trim();
}

const ULIMITS: Record<string, string> = {
  as: "RLIMIT_AS", core: "RLIMIT_CORE", cpu: "RLIMIT_CPU", data: "RLIMIT_DATA", fsize: "RLIMIT_FSIZE",
  locks: "RLIMIT_LOCKS", memlock: "RLIMIT_MEMLOCK", msgqueue: "RLIMIT_MSGQUEUE", nice: "RLIMIT_NICE",
  nofile: "RLIMIT_NOFILE", nproc: "RLIMIT_NPROC", rss: "RLIMIT_RSS", rtprio: "RLIMIT_RTPRIO",
  rttime: "RLIMIT_RTTIME", sigpending: "RLIMIT_SIGPENDING", stack: "RLIMIT_STACK",
};

/** docker --ulimit NAME=SOFT[:HARD] (-1 = unlimited). */
export function parseUlimit(text: string): { type: string; soft: number; hard: number } {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(text);
  if (!m) throw new UsageError(`invalid ulimit argument: "${text}" (expected NAME=SOFT[:HARD], e.g. nofile=1024:2048)`);
  const type = ULIMITS[m[1]!];
  if (!type) throw new UsageError(`invalid ulimit type: ${m[1]} (one of ${Object.keys(ULIMITS).join(", ")})`);
  const val = (s: string) => {
    const n = Number(s);
    if (n < -1 || !Number.isSafeInteger(n)) throw new UsageError(`invalid ulimit argument: "${text}": ${s} is not a limit`);
    // -1: RLIM_INFINITY (2^64-1, which a JSON number holds as 2^64; planRlimits clamps it)
    return n === -1 ? 2 ** 64 : n;
  };
  const soft = val(m[2]!), hard = m[3] === undefined ? soft : val(m[3]);
  if (soft > hard) throw new UsageError(`ulimit soft limit must be less than or equal to hard limit: ${text}`);
  return { type, soft, hard };
}

function throttle(flag: string, text: string, host: ResourceHost) {
  const i = text.lastIndexOf(":");
  const path = i > 0 ? text.slice(0, i) : "";
  const rate = i > 0 ? parseBytes(text.slice(i + 1)) : undefined;
  if (!path.startsWith("/") || rate === undefined) {
    throw new UsageError(`invalid argument "${text}" for "${flag}" flag: expected <device-path>:<number>[<unit>], e.g. /dev/sda:1mb (unit b, kb, mb or gb)`);
  }
  const dev = host.blockDevice(path);
  if (!dev) throw new UsageError(`invalid argument "${text}" for "${flag}" flag: ${path} is not a block device`);
  return { major: dev.major, minor: dev.minor, rate };
}

/** Docker flags → OCI resources, rlimits, oomScoreAdj. Throws UsageError on the first bad value. */
export function resourcesFromFlags(f: ResourceFlags, host: ResourceHost): ResourceSpec {
  const resources: LinuxResources = {};
  // Memory, with Docker's rules: -m ≥ 6 MiB; --memory-swap is memory+swap and needs -m; by
  // default a container may use as much swap as memory (swap = 2 × memory); -1 is unlimited
  const memory = f.memory !== undefined ? bytesFlag("-m, --memory", f.memory) : undefined;
  const reservation = f.memoryReservation !== undefined ? bytesFlag("--memory-reservation", f.memoryReservation) : undefined;
  const swap = f.memorySwap === undefined ? undefined : f.memorySwap.trim() === "-1" ? -1 : bytesFlag("--memory-swap", f.memorySwap);
  if (memory !== undefined && memory > 0 && memory < MIN_MEMORY) throw new UsageError(`minimum memory limit allowed is 6MB (-m ${f.memory} is ${memory} bytes)`);
  if (reservation !== undefined && reservation > 0 && reservation < MIN_MEMORY) throw new UsageError(`minimum memory reservation allowed is 6MB (--memory-reservation ${f.memoryReservation})`);
  if (swap !== undefined && swap !== 0 && !memory) throw new UsageError("you should always set the memory limit (-m) when using --memory-swap");
  if (swap !== undefined && swap > 0 && memory && swap < memory) throw new UsageError(`minimum memory-swap limit should be larger than the memory limit (--memory-swap ${f.memorySwap} < -m ${f.memory})`);
  if (reservation && memory && reservation > memory) throw new UsageError("minimum memory limit can not be less than memory reservation limit (-m < --memory-reservation)");
  if (memory || reservation) {
    resources.memory = {
      ...(memory ? { limit: memory, swap: swap !== undefined && swap !== 0 ? swap : memory * 2 } : {}),
      ...(reservation ? { reservation } : {}),
    };
  }

  const cpu: NonNullable<LinuxResources["cpu"]> = {};
  if (f.cpus !== undefined) {
    const hostCpus = (parseCpuList(host.cpus) ?? []).length || 1;
    const n = rational(f.cpus);
    // Docker's CLI parses it as a big.Rat first; the range is the daemon's check
    if (n === undefined) throw new UsageError(`invalid argument "${f.cpus}" for "--cpus" flag: failed to parse ${f.cpus} as a rational number`);
    // 0 is Docker's "no limit" (as --cpu-shares 0)
    if (n !== 0 && (!(n >= 0.01) || n > hostCpus)) throw new UsageError(`invalid argument "${f.cpus}" for "--cpus" flag: range of CPUs is from 0.01 to ${hostCpus}.00, as there are only ${hostCpus} CPUs available`);
    if (n > 0) {
      cpu.quota = Math.round(n * CPU_PERIOD);
      cpu.period = CPU_PERIOD;
    }
  }
  if (f.cpuShares !== undefined) {
    const shares = intFlag("-c, --cpu-shares", f.cpuShares, 0, 262144);
    // 0 means "unset" in Docker; the kernel's minimum is 2
    if (shares > 0) cpu.shares = Math.max(2, shares);
  }
  if (f.cpusetCpus !== undefined) cpu.cpus = cpusetFlag("--cpuset-cpus", "CPUs", f.cpusetCpus, host.cpus);
  if (f.cpusetMems !== undefined) cpu.mems = cpusetFlag("--cpuset-mems", "memory nodes", f.cpusetMems, host.mems);
  if (Object.keys(cpu).length) resources.cpu = cpu;

  if (f.pidsLimit !== undefined) {
    const limit = intFlag("--pids-limit", f.pidsLimit, -1);
    // Docker: 0 and -1 mean unlimited
    resources.pids = { limit: limit <= 0 ? -1 : limit };
  }

  const blockIO: NonNullable<LinuxResources["blockIO"]> = {};
  if (f.blkioWeight !== undefined) {
    const w = intFlag("--blkio-weight", f.blkioWeight, 0, 1000);
    if (w !== 0 && w < 10) throw new UsageError(`range of blkio weight is from 10 to 1000 (--blkio-weight ${f.blkioWeight})`);
    if (w) blockIO.weight = w;
  }
  if (f.deviceReadBps.length) blockIO.throttleReadBpsDevice = f.deviceReadBps.map((t) => throttle("--device-read-bps", t, host));
  if (f.deviceWriteBps.length) blockIO.throttleWriteBpsDevice = f.deviceWriteBps.map((t) => throttle("--device-write-bps", t, host));
  if (Object.keys(blockIO).length) resources.blockIO = blockIO;

  const oomScoreAdj = f.oomScoreAdj !== undefined ? intFlag("--oom-score-adj", f.oomScoreAdj, -1000, 1000) : undefined;
  const byType = new Map(f.ulimits.map(parseUlimit).map((u) => [u.type, u]));
  return { resources, rlimits: [...byType.values()], ...(oomScoreAdj !== undefined ? { oomScoreAdj } : {}) };
}

/** "64 MiB", "1.5 GiB": how bunbox names a byte count in messages and `stats`. */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${Number.isInteger(v) ? v : v.toFixed(v < 10 ? 2 : 1).replace(/\.?0+$/, "")} ${units[i]}`;
}

/** What Go's big.Rat SetString takes: a decimal (with an exponent) or a fraction a/b. */
function rational(text: string): number | undefined {
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(text);
  if (frac) return Number(frac[2]) === 0 ? undefined : Number(frac[1]) / Number(frac[2]);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}
