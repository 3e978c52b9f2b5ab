// `bunbox wait CONTAINER...`: blocks until each has stopped, prints its exit status.
import type { Context } from "../context.ts";
import { waitUntilStopped, recordExitIfUnwatched } from "../../runtime/lifecycle.ts";
import { forEachContainer } from "./each.ts";
import { NotFound } from "../../state/containers.ts";

export async function waitCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("wait", args);
  if (p.help) return 0;
  const store = ctx.containers();
  // All are held from the start and awaited together: one that ends while an earlier one is
  // still awaited, and goes at once (--rm), keeps its status until this has read it
  return forEachContainer(ctx, p.args, async (rec, ref) => {
    const release = store.holdForWaiter(rec.id);
    // Being removed right now (its status is going with it): as if it were already gone
    if (!release) throw new NotFound(`No such container: ${ref}`);
    try {
      await waitUntilStopped(store, rec.id, Number.POSITIVE_INFINITY, { throughCreated: true });
      await recordExitIfUnwatched(store, rec.id);
      return String(store.load(rec.id)?.exitCode ?? -1);
    } finally {
      release?.();
    }
  }, { together: true });
}
