// `run [--detach] --bundle B [--pid-file F] [--console-socket S] ID`: create + start; without
// --detach wait for the container and exit with its status (runc's foreground run), then delete it.
import { bool } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { createRequest } from "./create.ts";
import { ociStartCreated, ociDelete } from "../../runtime/oci/container.ts";
import { ociCreate } from "../../runtime/oci/create.ts";
import { exitStatus, FORWARDED_SIGNALS } from "../../runtime/exit-status.ts";
import { mark, fullTimeline } from "../../runtime/timeline.ts";
import { narrate } from "../../runtime/narrate.ts";

export const run: Subcommand = async (args, env) => {
  const { req, flags } = createRequest(args, env);
  const deps = env.deps();
  const created = await ociCreate(req, deps);
  const { proc } = created;
  mark("created");
  try {
    await ociStartCreated(created, deps);
    mark("started (the program's execve done)");
  } catch (e) {
    await ociDelete(req.id, true, deps, created.spec);
    throw e;
  }
  if (bool(flags.detach)) {
    proc.unref();
    return 0;
  }
  for (const sig of FORWARDED_SIGNALS) process.on(sig, () => { try { proc.kill(sig); } catch { /* gone */ } });
  await proc.exited;
  mark("program exited");
  const code = exitStatus(proc.exitCode, proc.signalCode as string | null);
  if (!bool(flags.keep)) await ociDelete(req.id, true, deps, created.spec);
  if (req.narrate?.timing) {
    mark("deleted");
    narrate(fullTimeline("runc"));
  }
  return code;
};
