// `bunbox stop [-t SECONDS] [-s SIGNAL]`, `bunbox kill [-s SIGNAL]`, `bunbox restart`.
import type { Context } from "../context.ts";
import { stopContainer, killContainer, signalNumber, isRunning } from "../../runtime/lifecycle.ts";
import { UsageError } from "../../config/errors.ts";
import { forEachContainer } from "./each.ts";
import { str } from "../values.ts";
import { startContainer } from "./start.ts";
import { DEFAULT_STOP_TIMEOUT } from "../../config/container-config.ts";
import type { ContainerRecord } from "../../state/containers.ts";

/** -t, or undefined: then each container's --stop-timeout, else Docker's 10 s. Negative: no limit. */
function seconds(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s)) throw new UsageError(`invalid argument "${s}" for "-t, --time" flag: strconv.ParseInt: parsing "${s}": invalid syntax`);
  return Number(s);
}

/** What `stop`/`restart` use for this container: the flags given, else what it was created with. */
function stopPlan(rec: ContainerRecord, time: number | undefined, signal: string | undefined): { wait: number; sig: number } {
  return { wait: time ?? rec.stopTimeout ?? DEFAULT_STOP_TIMEOUT, sig: signalNumber(signal ?? rec.stopSignal ?? "TERM") };
}

export async function stopCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("stop", args);
  if (p.help) return 0;
  const time = seconds(p.options.time), signal = str(p.options.signal);
  if (signal !== undefined) signalNumber(signal); // a bad -s fails once, before any container
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    const { wait, sig } = stopPlan(rec, time, signal);
    await stopContainer(ctx.containers(), rec, wait, sig);
    return ref;
  });
}

export async function killCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("kill", args);
  if (p.help) return 0;
  const name = str(p.options.signal) ?? "KILL";
  let sig: number;
  try {
    sig = signalNumber(name);
  } catch (e) {
    // Checked by Docker's daemon, whose refusals its CLI exits 1 with
    throw new UsageError((e as Error).message, 1);
  }
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    // Docker's kill counts as stopped by hand for --restart unless-stopped (always starts it again)
    if (rec.restartPolicy && isRunning(rec)) ctx.containers().update(rec.id, { killedByUser: true });
    killContainer(rec, sig);
    return ref;
  });
}

export async function restartCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("restart", args);
  if (p.help) return 0;
  const time = seconds(p.options.time);
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    // An --rm container is restarted, not removed, when this stop ends it (Docker does the same)
    if (rec.autoRemove && isRunning(rec)) ctx.containers().update(rec.id, { restarting: true });
    const { wait, sig } = stopPlan(rec, time, undefined);
    await stopContainer(ctx.containers(), rec, wait, sig);
    await startContainer(ctx, ctx.containers().load(rec.id) ?? rec);
    return ref;
  });
}
