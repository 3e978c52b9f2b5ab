// `delete [--force] ID`: a stopped (or created) container's resources go; a running one only
// with --force; an unknown id with --force is not an error.
import { bool } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociDelete } from "../../runtime/oci/container.ts";

export const del: Subcommand = async (args, env) => {
  const { id, flags } = oneId(args, { force: { alias: ["f"] } });
  await ociDelete(id, bool(flags.force), env.deps());
  return 0;
};
