// `create --bundle B --pid-file F [--console-socket S] [--preserve-fds N] ID`: set up, leave the
// container's init blocked on the exec fifo, print nothing, exit (the init goes to our reaper).
import { parseFlags, str } from "./flags.ts";
import { CREATE_FLAGS } from "./create-flags.ts";
import type { RuncEnv, Subcommand } from "./env.ts";
import { ociCreate } from "../../runtime/oci/create.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import type { Narration } from "../../runtime/narrate.ts";


function narration(flags: Record<string, unknown>): Narration | undefined {
  if (flags["explain-timeline"]) return { timing: true, color: false, steps: false };
  return flags.explain || flags["explain-timing"] ? { timing: Boolean(flags["explain-timing"]), color: false } : undefined;
}

export function createRequest(args: string[], env: RuncEnv) {
  const { flags, positional } = parseFlags(args, CREATE_FLAGS);
  if (positional.length !== 1) throw new RuntimeError(`"${positional.length ? "too many" : "missing"} arguments": expected exactly one container id`, 1);
  const preserve = str(flags["preserve-fds"]);
  if (preserve !== undefined && !/^\d+$/.test(preserve)) throw new RuntimeError(`invalid value "${preserve}" for flag -preserve-fds`, 1);
  return {
    flags,
    req: {
      id: positional[0]!, bundle: str(flags.bundle) ?? process.cwd(), pidFile: str(flags["pid-file"]),
      consoleSocket: str(flags["console-socket"]), preserveFds: preserve ? Number(preserve) : undefined, systemdCgroup: env.global.systemdCgroup,
      narrate: narration(flags),
      // Spawned by main.ts before the runtime's code was loaded (early-init.ts)
      init: env.ctx.takeEarlyInit(),
    },
  };
}

export const create: Subcommand = async (args, env) => {
  const { req } = createRequest(args, env);
  const { proc } = await ociCreate(req, env.deps());
  proc.unref();
  return 0;
};
