// `bunbox ps [-a] [-q] [--format json]`, with docker ps's columns and wording.
import type { Context } from "../context.ts";
import { statusOf } from "../../runtime/lifecycle.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { humanDuration, table, timeAgo } from "../format.ts";
import { bool, str } from "../values.ts";

export async function psCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("ps", args);
  if (p.help) return 0;
  const all = bool(p.options.all);
  const list = ctx.containers().list()
    .map((rec) => ({ rec, status: statusOf(rec) }))
    .filter(({ status }) => all || status === "running" || status === "paused")
    .sort((a, b) => b.rec.created.localeCompare(a.rec.created));
  if (bool(p.options.quiet)) {
    ctx.out(list.map(({ rec }) => rec.id.slice(0, 12) + "\n").join(""));
    return 0;
  }
  if (str(p.options.format) === "json") {
    for (const { rec, status } of list) {
      ctx.out(JSON.stringify({
        ID: rec.id.slice(0, 12), Image: rec.image, Command: quoteCommand(rec.command), CreatedAt: rec.created,
        RunningFor: timeAgo(rec.created), Names: rec.name, State: status, Status: describeStatus(rec, status),
      }) + "\n");
    }
    return 0;
  }
  const rows = list.map(({ rec, status }) => [rec.id.slice(0, 12), rec.image, quoteCommand(rec.command), timeAgo(rec.created), describeStatus(rec, status), "", rec.name]);
  ctx.out(table(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows));
  return 0;
}

/** Docker truncates the command to 20 characters, with an ellipsis, inside double quotes. */
export function quoteCommand(args: string[]): string {
  const cmd = args.join(" ");
  return `"${cmd.length > 20 ? cmd.slice(0, 19) + "…" : cmd}"`;
}

export function describeStatus(rec: ContainerRecord, status: string, now = Date.now()): string {
  const since = (iso?: string) => humanDuration(Math.max(0, Math.round((now - Date.parse(iso ?? rec.created)) / 1000)));
  switch (status) {
    case "running": return `Up ${since(rec.startedAt)}`;
    case "paused": return `Up ${since(rec.startedAt)} (Paused)`;
    case "created": return "Created";
    default: {
      const code = rec.exitCode === undefined || rec.exitCode < 0 ? "unknown" : String(rec.exitCode);
      return `Exited (${code}) ${since(rec.finishedAt)} ago${rec.oomKilled ? " (OOMKilled)" : ""}`;
    }
  }
}
