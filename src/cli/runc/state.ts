// `state ID`: the OCI state JSON, indented as runc prints it.
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociState } from "../../runtime/oci/container.ts";

export const state: Subcommand = async (args, env) => {
  env.out(JSON.stringify(ociState(oneId(args, {}).id, env.deps()), null, 2) + "\n");
  return 0;
};
