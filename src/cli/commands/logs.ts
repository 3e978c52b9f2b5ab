// `bunbox logs [-f] [--tail N] [-t] CONTAINER`: reads the json log a detached container's
// monitor writes; -f follows it until the container stops.
import type { Context } from "../context.ts";
import type { LogLine } from "../../runtime/json-log.ts";
import { openLogReader, followLog } from "./log-reader.ts";
import { isRunning, isUnmonitored } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../spec/errors.ts";
import { bool, str } from "../values.ts";

export async function logsCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("logs", args);
  if (p.help) return 0;
  const store = ctx.containers();
  const rec = store.resolve(String(p.args[0]));
  let tailArg = str(p.options.tail) ?? "all";
  if (tailArg === "-1") tailArg = "all"; // Docker's default, spelt out
  if (tailArg !== "all" && !/^\d+$/.test(tailArg)) throw new UsageError(`invalid --tail "${tailArg}": a number of lines, or all`);
  const now = Date.now();
  const since = timeArg(str(p.options.since), "since", now), until = timeArg(str(p.options.until), "until", now);
  const inWindow = (l: LogLine) => {
    const t = Date.parse(l.time);
    return (since === undefined || t >= since) && (until === undefined || t < until);
  };
  const stamps = bool(p.options.timestamps);
  const show = (lines: LogLine[]) => {
    for (const l of lines) if (inWindow(l)) (l.stream === "stderr" ? ctx.err : ctx.out)((stamps ? `${nanoFixed(l.time)} ` : "") + l.log);
  };
  if (!rec.logPath) {
    // Attached runs write straight to the terminal that started them
    ctx.err(`bunbox: container ${rec.name} was not started with -d: its output went to the terminal, not a log\n`);
    return 1;
  }
  if (isUnmonitored(rec)) {
    ctx.err(`bunbox: the monitor of container ${rec.name} is gone (killed): its output since then is not recorded; it runs on ('bunbox stop ${rec.name}')\n`);
  }
  const reader = openLogReader(rec.logPath);
  if (!reader) return 0;
  try {
    const readNew = () => reader.readNew();
    const first = readNew().filter(inWindow);
    show(tailArg === "all" ? first : first.slice(Math.max(0, first.length - Number(tailArg))));
    if (!bool(p.options.follow)) return 0;
    // Past --until nothing more can be shown
    await followLog(reader, () => isRunning(store.load(rec.id) ?? rec), show, until);
    return 0;
  } finally {
    reader.close();
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * --since/--until as Docker reads them: a Go duration before now (42m, 1h30m, 10s), a Unix time
 * in seconds (1700000000.5), or a date (2013-01-02T13:23:37Z, 2013-01-02). Milliseconds since the epoch.
 */
export function timeArg(v: string | undefined, flag: string, now: number): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    return now - ms;
  }
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`invalid value for --${flag}: "${v}" (a timestamp such as 2013-01-02T13:23:37Z, or relative such as 42m)`);
  return t;
}

/** Docker's `logs -t` stamp has 9 fraction digits; logs written before bunbox recorded nanoseconds have 3. */
function nanoFixed(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}Z` : time;
}
