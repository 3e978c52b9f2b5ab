// `bunbox top CONTAINER`: the container's processes (its cgroup's members), as `ps -ef` shows them,
// read from /proc directly.
import { readFileSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import { permit } from "../../runtime/lifecycle.ts";
import { cgroupOf } from "../../runtime/cgroup-of.ts";
import { table } from "../format.ts";

export async function topCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("top", args);
  if (p.help) return 0;
  const rec = ctx.containers().resolve(String(p.args[0]));
  permit(rec, "top");
  const listed = cgroupOf(rec).pids();
  const pids = listed.length ? listed : [rec.pid!];
  const ticks = 100, boot = ctx.host().bootTime;
  const rows = pids.sort((a, b) => a - b).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const uid = readFileSync(`/proc/${pid}/status`, "utf8").match(/^Uid:\s+(\d+)/m)?.[1] ?? "?";
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ") || `[${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}]`;
      const cpu = Math.round((Number(f[11]) + Number(f[12])) / ticks);
      const started = new Date((boot + Number(f[19]) / ticks) * 1000);
      return [[uid === "0" ? "root" : uid, String(pid), f[1]!, "0", started.toISOString().slice(11, 16), "?", `${String(Math.floor(cpu / 3600)).padStart(2, "0")}:${String(Math.floor(cpu / 60) % 60).padStart(2, "0")}:${String(cpu % 60).padStart(2, "0")}`, cmd]];
    } catch {
      return [];
    }
  });
  // docker top's own tabwriter: columns at least 20 wide
  ctx.out(table(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"], rows, 20));
  return 0;
}
