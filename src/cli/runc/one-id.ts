// The common shape of runc subcommands: some flags, then exactly one container id.
import { parseFlags, type FlagDefs, type FlagValues } from "./flags.ts";
import { RuntimeError } from "../../runtime/errors.ts";

export function oneId(args: string[], defs: FlagDefs, extra = 0): { id: string; flags: FlagValues; rest: string[] } {
  const { flags, positional } = parseFlags(args, defs);
  if (positional.length < 1) throw new RuntimeError("\"missing argument\": this command needs a container id", 1);
  if (positional.length > 1 + extra) throw new RuntimeError(`"too many arguments": ${positional.slice(1 + extra).join(" ")}`, 1);
  return { id: positional[0]!, flags, rest: positional.slice(1) };
}
