// `bunbox rename CONTAINER NEW_NAME`
import type { Context } from "../context.ts";
import { NAME_PATTERN } from "../../state/ids.ts";
import { UsageError, ArgumentCountError } from "../../spec/errors.ts";

export async function renameCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("rename", args);
  if (p.help) return 0;
  const [ref, name] = p.args.map(String);
  if (!ref || !name) throw new ArgumentCountError(`"bunbox rename" requires exactly 2 arguments: bunbox rename CONTAINER NEW_NAME`);
  if (!NAME_PATTERN.test(name)) throw new UsageError(`invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const store = ctx.containers();
  const rec = store.resolve(ref);
  store.withLock(rec.id, () => store.rename(store.load(rec.id) ?? rec, name));
  return 0;
}
