// `bunbox logs [-f] [--tail N] [-t] CONTAINER`: reads the json log a detached container's
// monitor writes, streaming it (from the end backwards for --tail); -f follows it, through
// rotations, until the container stops.
import type { Context } from "../context.ts";
import type { LogLine } from "../../runtime/json-log.ts";
import { LogReader, followLog, maxFileOf, openOldest } from "./log-reader.ts";
import { tailStart } from "./log-tail.ts";
import { LogPrinter } from "./log-printer.ts";
import { isRunning, isUnmonitored } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../config/errors.ts";
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
  const printer = new LogPrinter(ctx, bool(p.options.timestamps), inWindow);
  if (!rec.logPath) {
    // An attached --rm run (its log would go with it), or a record from before attached runs were logged
    const why = rec.autoRemove ? "it runs attached with --rm, whose output goes to the terminal only" : "it ran attached before bunbox logged attached runs";
    ctx.err(`bunbox: container ${rec.name} has no log: ${why}\n`);
    return 1;
  }
  if (isUnmonitored(rec)) {
    ctx.err(`bunbox: the monitor of container ${rec.name} is gone (killed): its output since then is not recorded; it runs on ('bunbox stop ${rec.name}')\n`);
  }
  const maxFile = maxFileOf(rec);
  const start = tailArg === "all" ? openOldest(rec.logPath, maxFile) : tailStart(rec.logPath, maxFile, Number(tailArg), inWindow);
  if (!start) return 0;
  const reader = new LogReader(rec.logPath, maxFile, start);
  try {
    reader.readNew(printer.line);
    printer.flush();
    if (!bool(p.options.follow)) return 0;
    // Past --until nothing more can be shown
    await followLog(reader, () => isRunning(store.load(rec.id) ?? rec), printer.line, printer.flush, until);
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

