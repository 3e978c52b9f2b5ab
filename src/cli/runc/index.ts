// `bunbox runc [GLOBAL OPTIONS] COMMAND …` (also bunbox invoked as `runc` or `bunbox-runc`): the OCI
// runtime command line containerd's shim and Docker call. Global options, then one lazily loaded
// file per subcommand. Failures go to the --log file as JSON lines (what the shim reports) and to
// stderr, and exit 1.
import { appendFileSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import { VERSION, COMMIT } from "../version.ts";
import { parseFlags, str, bool, FlagError } from "./flags.ts";
import { makeEnv, type RuncGlobal, type Subcommand } from "./env.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";
import { describeError } from "../errors.ts";


const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  create: async () => (await import("./create.ts")).create,
  start: async () => (await import("./start.ts")).start,
  run: async () => (await import("./run.ts")).run,
  state: async () => (await import("./state.ts")).state,
  kill: async () => (await import("./kill.ts")).kill,
  delete: async () => (await import("./delete.ts")).del,
  exec: async () => (await import("./exec.ts")).exec,
  ps: async () => (await import("./ps.ts")).ps,
  list: async () => (await import("./list.ts")).list,
  pause: async () => (await import("./pause.ts")).pause,
  resume: async () => (await import("./pause.ts")).resume,
  update: async () => (await import("./update.ts")).update,
  events: async () => (await import("./events.ts")).events,
  features: async () => (await import("./features.ts")).features,
  spec: async () => (await import("./spec.ts")).spec,
};

const ALIASES: Record<string, string> = { ls: "list", rm: "delete" };

export const RUNC_HELP = `NAME:
   bunbox runc - the OCI runtime command line of bunbox (runc-compatible)

USAGE:
   bunbox runc [global options] command [command options] [arguments...]

COMMANDS:
   create    create a container (blocked before its program until start)
   start     executes the user defined process in a created container
   run       create and run a container
   state     output the state of a container
   kill      kill sends the specified signal (default: SIGTERM) to the container's init process
   delete    delete any resources held by the container
   exec      execute new process inside the container
   ps        ps displays the processes running inside a container
   list      lists containers started by runc with the given root
   pause     pause suspends all processes inside the container
   resume    resumes all processes that have been previously paused
   update    update container resource constraints
   events    display container events such as OOM notifications, cpu, memory, and IO usage statistics
   features  show the enabled features
   spec      create a new specification file

GLOBAL OPTIONS:
   --root value         root directory for storage of container state (default: "/run/bunbox/runc")
   --log value          append errors to this file (JSON lines with --log-format json)
   --log-format value   text or json (default: "text")
   --debug              enable debug logging
   --systemd-cgroup     cgroupsPath is slice:prefix:name: systemd makes a scope for the container
   --rootless value     accepted for compatibility (true, false or auto)
   --criu value         accepted for compatibility (checkpoint is not supported)
   --version, -v        print the version
`;

export async function runcCommand(args: string[], ctx: Context): Promise<number> {
  let global: RuncGlobal = { root: "/run/bunbox/runc", logFormat: "text", debug: false, systemdCgroup: false };
  try {
    const { flags, positional } = parseFlags(args, GLOBAL_FLAGS);
    global = {
      root: str(flags.root) ?? process.env.BUNBOX_RUNC_ROOT ?? "/run/bunbox/runc",
      log: str(flags.log),
      logFormat: str(flags["log-format"]) === "json" ? "json" : "text",
      debug: bool(flags.debug),
      systemdCgroup: bool(flags["systemd-cgroup"]),
      rootless: flags.rootless === undefined ? undefined : bool(flags.rootless),
    };
    const format = str(flags["log-format"]);
    if (format !== undefined && format !== "text" && format !== "json") throw new FlagError(`invalid log format "${format}"`);
    if (bool(flags.version)) {
      ctx.out(`runc version ${VERSION}\ncommit: bunbox-${COMMIT}\nspec: 1.2.0\n`);
      return 0;
    }
    const [word, ...rest] = positional;
    if (word === undefined || bool(flags.help) || word === "help") {
      ctx.out(RUNC_HELP);
      return 0;
    }
    const load = SUBCOMMANDS[ALIASES[word] ?? word];
    if (!load) throw new FlagError(`No help topic for '${word}'`);
    return await (await load())(rest, makeEnv(global, ctx));
  } catch (e) {
    const { message } = describeError(e, "runc");
    logError(global, message);
    ctx.err(`${message}\n`);
    return 1;
  }
}

/** Appends one error record to the --log file: JSON lines for containerd, logrus text otherwise. */
export function logError(global: RuncGlobal, message: string): void {
  if (!global.log) return;
  const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const line = global.logFormat === "json"
    ? JSON.stringify({ level: "error", msg: message, time })
    : `time="${time}" level=error msg=${JSON.stringify(message)}`;
  try { appendFileSync(global.log, line + "\n"); } catch { /* the log's directory may be gone */ }
}
