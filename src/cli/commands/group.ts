// `bunbox container …` and `bunbox image …` when main.ts found no verb to rewrite them to
// (cli/groups.ts): the group's help, `container prune`, or Docker's answer to a subcommand it
// does not have (the group's usage on stderr, exit 1).
import type { Context } from "../context.ts";
import { removeContainer, statusOf } from "../../runtime/lifecycle.ts";
import { groupUsage } from "../groups.ts";
import { ArgumentCountError } from "../../config/errors.ts";
import { bool } from "../values.ts";
import { confirm } from "./confirm.ts";
import { escapeControls } from "../sanitize.ts";

export async function containerCommand(args: string[], ctx: Context): Promise<number> {
  if (args[0] === "prune") return prune(args.slice(1), ctx);
  return groupOnly("container", args, ctx);
}

export async function imageCommand(args: string[], ctx: Context): Promise<number> {
  return groupOnly("image", args, ctx);
}

export async function volumeCommand(args: string[], ctx: Context): Promise<number> {
  return groupOnly("volume", args, ctx);
}

/** No subcommand: the usage (stdout for --help, stderr otherwise, exit 0 as Docker); an unknown one: exit 1. */
async function groupOnly(group: string, args: string[], ctx: Context): Promise<number> {
  const { buildCli } = await import("../app.ts");
  const commands = buildCli(undefined, { hidden: true }).commands;
  const usage = groupUsage(group, (verb) => commands.find((c) => c.name === verb)?.description.replace(/ \(.*$/, "") ?? "");
  const first = args.find((a) => a !== "--help" && a !== "-h");
  if (first === undefined) {
    if (args.length) ctx.out(usage.slice(1));
    else ctx.err(usage.slice(1));
    return 0;
  }
  // The one line every error is, then the usage Docker prints in its place
  ctx.err(`bunbox: '${escapeControls(first)}' is not a bunbox ${group} command (see 'bunbox ${group} --help')\n${usage}`);
  return 1;
}

async function prune(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("container", args);
  if (p.help) return 0;
  if (p.args.length) throw new ArgumentCountError(`"bunbox container prune" accepts no arguments (see 'bunbox container --help')`);
  if (!bool(p.options.force) && !confirm(ctx, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ")) return 0;
  const store = ctx.containers();
  const removed: string[] = [];
  for (const rec of store.list()) {
    if (statusOf(rec) !== "exited" && statusOf(rec) !== "created") continue;
    await removeContainer(store, rec, false);
    removed.push(rec.id);
  }
  ctx.out(`Deleted Containers:\n${removed.map((id) => id + "\n").join("")}\nTotal reclaimed space: 0B\n`);
  return 0;
}
