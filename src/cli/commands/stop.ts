// `bunbox stop [-t SECONDS] [-s SIGNAL]`, `bunbox kill [-s SIGNAL]`, `bunbox restart`.
import type { Context } from "../context.ts";
import { stopContainer, killContainer, signalNumber, isRunning } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../spec/errors.ts";
import { forEachContainer } from "./each.ts";
import { str } from "../values.ts";
import { startContainer } from "./start.ts";

function seconds(v: unknown): number {
  const s = str(v) ?? "10";
  if (!/^\d+$/.test(s)) throw new UsageError(`invalid --time "${s}": a whole number of seconds`);
  return Number(s);
}

export async function stopCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("stop", args);
  if (p.help) return 0;
  const wait = seconds(p.options.time), sig = signalNumber(str(p.options.signal) ?? "TERM");
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    await stopContainer(ctx.containers(), rec, wait, sig);
    return ref;
  });
}

export async function killCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("kill", args);
  if (p.help) return 0;
  const sig = signalNumber(str(p.options.signal) ?? "KILL");
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    killContainer(rec, sig);
    return ref;
  });
}

export async function restartCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("restart", args);
  if (p.help) return 0;
  const wait = seconds(p.options.time);
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    // An --rm container is restarted, not removed, when this stop ends it (Docker does the same)
    if (rec.autoRemove && isRunning(rec)) ctx.containers().update(rec.id, { restarting: true });
    await stopContainer(ctx.containers(), rec, wait);
    await startContainer(ctx, ctx.containers().load(rec.id) ?? rec);
    return ref;
  });
}
