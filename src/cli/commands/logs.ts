// `bunbox logs [-f] [--tail N] [-t] CONTAINER`: reads the json log a detached container's
// monitor writes; -f follows it until the container stops.
import type { Context } from "../context.ts";
import type { LogLine } from "../../runtime/json-log.ts";
import { openLogReader } from "./log-reader.ts";
import { isRunning } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../spec/errors.ts";
import { bool, str } from "../values.ts";

export async function logsCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("logs", args);
  if (p.help) return 0;
  const store = ctx.containers();
  const rec = store.resolve(String(p.args[0]));
  const tailArg = str(p.options.tail) ?? "all";
  if (tailArg !== "all" && !/^\d+$/.test(tailArg)) throw new UsageError(`invalid --tail "${tailArg}": a number of lines, or all`);
  const stamps = bool(p.options.timestamps);
  const show = (lines: LogLine[]) => {
    for (const l of lines) (l.stream === "stderr" ? ctx.err : ctx.out)((stamps ? `${l.time} ` : "") + l.log);
  };
  if (!rec.logPath) {
    // Attached runs write straight to the terminal that started them
    ctx.err(`bunbox: container ${rec.name} was not started with -d: its output went to the terminal, not a log\n`);
    return 1;
  }
  const reader = openLogReader(rec.logPath);
  if (!reader) return 0;
  try {
    const readNew = () => reader.readNew();
    const first = readNew();
    show(tailArg === "all" ? first : first.slice(Math.max(0, first.length - Number(tailArg))));
    if (!bool(p.options.follow)) return 0;
    for (;;) {
      const running = isRunning(store.load(rec.id) ?? rec);
      show(readNew());
      if (!running) return 0;
      await Bun.sleep(100);
    }
  } finally {
    reader.close();
  }
}
