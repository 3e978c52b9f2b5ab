// `events [--stats] [--interval 5s] ID`: resource usage from the container's cgroup as JSON
// events ({"type":"stats","id","data"}); once with --stats, else every interval until it stops.
import { readFileSync } from "../../sys/files.ts";
import { parseFlags, str, bool } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import type { OciRecord } from "../../runtime/oci/state.ts";

function read(path: string): string | undefined {
  try { return readFileSync(path, "utf8").trim(); } catch { return undefined; }
}

export function cgroupStats(rec: OciRecord) {
  const v1 = (ctrl: string) => rec.cgroupDirs.find((d) => d.split("/").some((p) => p.split(",").includes(ctrl)));
  const v2 = rec.cgroupDirs.find((d) => read(`${d}/cgroup.controllers`) !== undefined);
  const mem = v1("memory"), cpu = v1("cpuacct"), pids = v1("pids");
  const n = (s: string | undefined) => (s === undefined || s === "max" ? 0 : Number(s));
  return {
    cpu: { usage: { total: n(cpu ? read(`${cpu}/cpuacct.usage`) : undefined) } },
    memory: {
      usage: { usage: n(mem ? read(`${mem}/memory.usage_in_bytes`) : v2 && read(`${v2}/memory.current`)), limit: n(mem ? read(`${mem}/memory.limit_in_bytes`) : v2 && read(`${v2}/memory.max`)) },
    },
    pids: { current: n(pids ? read(`${pids}/pids.current`) : v2 && read(`${v2}/pids.current`)) },
  };
}

export const events: Subcommand = async (args, env) => {
  const { flags, positional } = parseFlags(args, { stats: {}, interval: { value: true } });
  const id = positional[0];
  if (!id) throw new RuntimeError("events needs a container id", 1);
  const seconds = Number((str(flags.interval) ?? "5s").replace(/s$/, "")) || 5;
  for (;;) {
    const rec = env.store.get(id);
    env.store.permit(rec, "events");
    env.out(JSON.stringify({ type: "stats", id, data: cgroupStats(rec) }) + "\n");
    if (bool(flags.stats)) return 0;
    await Bun.sleep(seconds * 1000);
  }
};
