// `bunbox rename CONTAINER NEW_NAME`
import type { Context } from "../context.ts";
import { NAME_PATTERN } from "../../state/ids.ts";
import { UsageError, ArgumentCountError } from "../../config/errors.ts";
import { RuntimeError } from "../../runtime/errors.ts";

export async function renameCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("rename", args);
  if (p.help) return 0;
  const [ref, name] = p.args.map(String);
  if (!ref || !name) throw new ArgumentCountError(`"bunbox rename" requires exactly 2 arguments: bunbox rename CONTAINER NEW_NAME`);
  // The daemon's refusal: exit 1, as Docker's CLI gives every one of them (run's is the CLI's own, 125)
  if (!NAME_PATTERN.test(name)) throw new UsageError(`invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 1);
  const store = ctx.containers();
  const rec = store.resolve(ref);
  // Docker's CLI turns every refusal of the daemon's into exit 1 ("Error: failed to rename container named …")
  if (rec.name === name) throw new RuntimeError(`renaming a container with the same name as its current name`, 1);
  try {
    store.withLock(rec.id, () => store.rename(store.load(rec.id) ?? rec, name));
  } catch (e) {
    if (e instanceof UsageError) throw new RuntimeError(e.message, 1);
    throw e;
  }
  return 0;
}
