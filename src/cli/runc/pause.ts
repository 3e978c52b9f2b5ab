// `pause ID` / `resume ID`: the cgroup freezer (v1 freezer.state, v2 cgroup.freeze).
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociPause, ociResume } from "../../runtime/oci/container.ts";

export const pause: Subcommand = async (args, env) => {
  await ociPause(oneId(args, {}).id, env.deps());
  return 0;
};

export const resume: Subcommand = async (args, env) => {
  ociResume(oneId(args, {}).id, env.deps());
  return 0;
};
