// Docker's pattern for commands over several containers: act on each, print what it printed for
// successes, one error line per failure, exit 1 if any failed.
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { describeError } from "../errors.ts";

export async function forEachContainer(ctx: Context, refs: readonly string[], fn: (rec: ContainerRecord, ref: string) => Promise<string | undefined>): Promise<number> {
  let status = 0;
  for (const ref of refs.map(String)) {
    try {
      const out = await fn(ctx.containers().resolve(ref), ref);
      if (out !== undefined) ctx.out(out + "\n");
    } catch (e) {
      const { message, exitCode } = describeError(e, undefined);
      ctx.err(`bunbox: ${message}\n`);
      status = exitCode === 125 ? 1 : exitCode;
    }
  }
  return status;
}
