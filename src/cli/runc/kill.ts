// `kill [--all] ID [SIGNAL]`: the signal as a number (15) or a name (TERM, SIGTERM); default TERM.
import { bool } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociKill } from "../../runtime/oci/container.ts";
import { signalNumber } from "../../runtime/lifecycle.ts";
import { RuntimeError } from "../../runtime/errors.ts";

export const kill: Subcommand = async (args, env) => {
  const { id, flags, rest } = oneId(args, { all: { alias: ["a"] }, signal: { value: true, alias: ["s"] } }, 1);
  let sig: number;
  try {
    sig = signalNumber(rest[0] ?? (typeof flags.signal === "string" ? flags.signal : "TERM"));
  } catch {
    throw new RuntimeError(`unknown signal "${rest[0]}"`, 1);
  }
  ociKill(id, sig, bool(flags.all), env.deps());
  return 0;
};
