// `start ID`: release a created container. No output.
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociStart } from "../../runtime/oci/container.ts";

export const start: Subcommand = async (args, env) => {
  await ociStart(oneId(args, {}).id, env.deps());
  return 0;
};
