// `bunbox stats [CONTAINER...] [--no-stream] [--format json|TEMPLATE]`: CPU %, memory usage and limit, block
// I/O and pids of running containers, read from the cgroup directories their records keep, with
// docker stats' columns and units. CPU % is the cgroup's CPU time over wall time between two
// samples (100% = one CPU), as docker computes it.
import type { CgroupStats } from "../../cgroups/stats.ts";
import { cgroupOf } from "../../runtime/cgroup-of.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { UsageError } from "../../config/errors.ts";
import type { Context } from "../context.ts";
import { humanSize, table } from "../format.ts";
import { bool, str } from "../values.ts";
import { parseTemplate } from "../template.ts";
import { formatRows } from "../row-template.ts";
import { procpsSafe } from "../sanitize.ts";

const INTERVAL_MS = 1000;

export async function statsCommand(args: string[], ctx: Context): Promise<number> {
  const parsed = ctx.parse("stats", args);
  if (parsed.help) return 0;
  const o = parsed.options;
  const format = str(o.format) ?? "table";
  // A bad template fails here, before the first second of sampling
  if (format !== "table" && format !== "json" && format !== "") parseTemplate(format.replace(/^table/, ""), { strict: true });
  // cac turns --no-stream into stream: false
  const noStream = o.stream === false || bool(o.noStream);
  const wanted = parsed.args.map(String);
  const store = ctx.containers();
  // Each container with the name it was asked by: Docker's {{.Container}} is that, or the short id
  const pick = (): { r: ContainerRecord; ref: string }[] => {
    const all = store.list().filter((r) => r.cgroupDirs?.length);
    if (!wanted.length) return all.filter((r) => (bool(o.all) || alive(r))).map((r) => ({ r, ref: r.id.slice(0, 12) }));
    return wanted.map((w) => {
      const r = all.find((c) => c.name === w || c.id === w) ?? all.filter((c) => c.id.startsWith(w)).at(0);
      if (!r) throw new UsageError(`No such container: ${w}`);
      return { r, ref: w };
    });
  };
  for (;;) {
    const records = pick();
    const before = new Map(records.map(({ r }) => [r.id, sample(r)]));
    await Bun.sleep(INTERVAL_MS);
    const rows = records.map(({ r, ref }) => row(r, ref, before.get(r.id)!, sample(r), () => ctx.host().memTotal));
    const text = format === "json" ? rows.map((x) => JSON.stringify(x) + "\n").join("")
      : format === "table" || format === "" ? render(rows)
      // The container's name is its own: no raw escapes on the terminal
      : formatRows(format, rows.map((x) => ({ ...x, Name: procpsSafe(x.Name), Container: procpsSafe(x.Container) })), HEADERS);
    ctx.out(noStream ? text : `\x1b[2J\x1b[H${text}`);
    if (noStream) return 0;
  }
}

interface Sample { at: number; stats: CgroupStats }

function sample(r: ContainerRecord): Sample {
  return { at: performance.now(), stats: cgroupOf(r).stats() };
}

function alive(r: ContainerRecord): boolean {
  if (r.status !== "running" || !r.pid) return false;
  try { process.kill(r.pid, 0); return true; } catch { return false; }
}

export interface StatsRow {
  BlockIO: string; CPUPerc: string; Container: string; ID: string; MemPerc: string; MemUsage: string; Name: string; NetIO: string; PIDs: string;
}

/** `hostMemory`: the limit of a container without one, as Docker shows it. */
function row(r: ContainerRecord, ref: string, a: Sample, b: Sample, hostMemory: () => number): StatsRow {
  const cpu = b.at > a.at ? ((b.stats.cpuNs - a.stats.cpuNs) / 1e6 / (b.at - a.at)) * 100 : 0;
  const limit = b.stats.memLimit ?? hostMemory();
  return {
    BlockIO: `${humanSize(b.stats.blkRead)} / ${humanSize(b.stats.blkWrite)}`,
    CPUPerc: `${Math.max(0, cpu).toFixed(2)}%`,
    Container: ref,
    ID: r.id.slice(0, 12),
    MemPerc: `${limit ? ((b.stats.memUsage / limit) * 100).toFixed(2) : "0.00"}%`,
    MemUsage: `${binary(b.stats.memUsage)} / ${binary(limit)}`,
    Name: r.name,
    NetIO: "0B / 0B",
    PIDs: String(b.stats.pids),
  };
}

/** Docker's column headers for a `table` template. */
const HEADERS: Record<keyof StatsRow, string> = {
  BlockIO: "BLOCK I/O", CPUPerc: "CPU %", Container: "CONTAINER", ID: "CONTAINER ID", MemPerc: "MEM %",
  MemUsage: "MEM USAGE / LIMIT", Name: "NAME", NetIO: "NET I/O", PIDs: "PIDS",
};

function render(rows: StatsRow[]): string {
  return table(["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"],
    rows.map((x) => [x.ID, x.Name, x.CPUPerc, x.MemUsage, x.MemPerc, x.NetIO, x.BlockIO, x.PIDs]));
}

/** docker's units.BytesSize: 1.5MiB, 64MiB, 0B. */
function binary(n: number): string {
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${+n.toFixed(2)}${u[i]}`;
}
