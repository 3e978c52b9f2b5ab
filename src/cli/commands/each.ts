// Docker's pattern for commands over several containers: act on each, print what it printed for
// successes, one error line per failure, exit 1 if any failed.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { describeError } from "../errors.ts";
import { NotFound } from "../../state/containers.ts";

export async function forEachContainer(ctx: Context, refs: readonly string[], fn: (rec: ContainerRecord, ref: string) => Promise<string | undefined>, opts: { together?: boolean; missingOk?: boolean } = {}): Promise<number> {
  const act = async (ref: string): Promise<{ out?: string; error?: unknown }> => {
    try {
      return { out: await fn(ctx.containers().resolve(ref), ref) };
    } catch (error) {
      return { error: error ?? new Error("failed") };
    }
  };
  // together: every fn starts now (each runs up to its first await in order); results still print in order
  const started = opts.together ? refs.map((ref) => act(String(ref))) : undefined;
  let status = 0;
  for (const [i, ref] of refs.map(String).entries()) {
    const { out, error } = await (started ? started[i]! : act(ref));
    if (error === undefined) {
      if (out !== undefined) ctx.out(out + "\n");
      continue;
    }
    const { message, exitCode } = describeError(error, undefined);
    ctx.err(`bunbox: ${message}\n`);
    // missingOk: `rm -f` of a container that is not there is said, and is not a failure (Docker)
    if (opts.missingOk && error instanceof NotFound) continue;
    status = exitCode === 125 ? 1 : exitCode;
  }
  return status;
}
