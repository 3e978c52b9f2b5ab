// `bunbox wait CONTAINER...`: blocks until each has stopped, prints its exit status.
import type { Context } from "../context.ts";
import { waitUntilStopped, recordExitIfUnwatched } from "../../runtime/lifecycle.ts";
import { forEachContainer } from "./each.ts";

export async function waitCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("wait", args);
  if (p.help) return 0;
  const store = ctx.containers();
  return forEachContainer(ctx, p.args, async (rec) => {
    await waitUntilStopped(store, rec.id, Number.POSITIVE_INFINITY);
    await recordExitIfUnwatched(store, rec.id);
    return String(store.load(rec.id)?.exitCode ?? -1);
  });
}
