// The command line: global options, dispatch to one function per command, and the one place
// that turns errors into a single line and an exit status.
import { cac, type CAC } from "cac";
import { splitGlobal } from "./argv.ts";
import { registerRun, registerCreate } from "./commands/run-options.ts";
import { registerImages } from "./commands/images-options.ts";
import { registerLifecycle } from "./commands/lifecycle-options.ts";
import { registerExec } from "./commands/exec-options.ts";
import { registerStats } from "./commands/stats-options.ts";
import { registerVolume } from "./commands/volume-options.ts";
import { parseWith, markValues, unmarkValues, type Context } from "./context.ts";
import { describeError } from "./errors.ts";
import { writeOut, writeErr } from "./output.ts";
import { BunboxError } from "../errors.ts";

import { VERSION, COMMIT } from "./version.ts";

export { VERSION, COMMIT };

type Handler = (args: string[], ctx: Context) => Promise<number>;

export interface CommandModule {
  register(cli: CAC): void;
  /** The command's code, loaded only when it runs (a separate chunk: --version and help stay fast). */
  load(): Promise<Handler>;
  /** Reached only through its group (volume ls is volume-ls): not in the help overview. */
  hidden?: boolean;
}

const COMMANDS: Record<string, CommandModule> = {
  run: { register: registerRun, load: async () => (await import("./commands/run.ts")).runCommand },
  create: { register: registerCreate, load: async () => (await import("./commands/run.ts")).createCommand },
  import: { register: registerImages, load: async () => (await import("./commands/images.ts")).importCommand },
  images: { register: registerImages, load: async () => (await import("./commands/images.ts")).imagesCommand },
  rmi: { register: registerImages, load: async () => (await import("./commands/images.ts")).rmiCommand },
  ps: { register: registerLifecycle, load: async () => (await import("./commands/ps.ts")).psCommand },
  inspect: { register: registerLifecycle, load: async () => (await import("./commands/inspect.ts")).inspectCommand },
  logs: { register: registerLifecycle, load: async () => (await import("./commands/logs.ts")).logsCommand },
  stop: { register: registerLifecycle, load: async () => (await import("./commands/stop.ts")).stopCommand },
  kill: { register: registerLifecycle, load: async () => (await import("./commands/stop.ts")).killCommand },
  restart: { register: registerLifecycle, load: async () => (await import("./commands/stop.ts")).restartCommand },
  rm: { register: registerLifecycle, load: async () => (await import("./commands/rm.ts")).rmCommand },
  container: { register: registerLifecycle, load: async () => (await import("./commands/group.ts")).containerCommand },
  image: { register: registerImages, load: async () => (await import("./commands/group.ts")).imageCommand },
  volume: { register: (cli) => { cli.command("volume [command]", "Manage volumes: volume create, ls, inspect, rm, prune").usage("volume COMMAND"); }, load: async () => (await import("./commands/group.ts")).volumeCommand },
  "volume-create": { register: registerVolume, hidden: true, load: async () => (await import("./commands/volume.ts")).volumeCreateCommand },
  "volume-ls": { register: registerVolume, hidden: true, load: async () => (await import("./commands/volume.ts")).volumeLsCommand },
  "volume-inspect": { register: registerVolume, hidden: true, load: async () => (await import("./commands/volume.ts")).volumeInspectCommand },
  "volume-rm": { register: registerVolume, hidden: true, load: async () => (await import("./commands/volume.ts")).volumeRmCommand },
  "volume-prune": { register: registerVolume, hidden: true, load: async () => (await import("./commands/volume.ts")).volumePruneCommand },
  wait: { register: registerLifecycle, load: async () => (await import("./commands/wait.ts")).waitCommand },
  start: { register: registerLifecycle, load: async () => (await import("./commands/start.ts")).startCommand },
  top: { register: registerLifecycle, load: async () => (await import("./commands/top.ts")).topCommand },
  pause: { register: registerLifecycle, load: async () => (await import("./commands/pause.ts")).pauseCommand },
  unpause: { register: registerLifecycle, load: async () => (await import("./commands/pause.ts")).unpauseCommand },
  rename: { register: registerLifecycle, load: async () => (await import("./commands/rename.ts")).renameCommand },
  exec: { register: registerExec, load: async () => (await import("./commands/exec.ts")).execCommand },
  explain: { register: (cli) => {
    // explain parses run's flags; the help overview has registered them already
    if (!cli.commands.some((c) => c.name === "run")) registerRun(cli);
    cli.command("explain <what> [...args]", "Print the system calls `run` would make, without running anything (bunbox explain run [OPTIONS] IMAGE [COMMAND...])").allowUnknownOptions(); }, load: async () => (await import("./commands/explain.ts")).explainCommand },
  gc: { register: registerLifecycle, load: async () => (await import("./commands/gc.ts")).gcCommand },
  stats: { register: registerStats, load: async () => (await import("./commands/stats.ts")).statsCommand },
  // The OCI runtime command line (containerd, Docker): its own flags, parsed in cli/runc/
  runc: { register: () => {}, load: async () => (await import("./runc/index.ts")).runcCommand },
};

/**
 * The cac definitions: only the invoked command's group when there is one (registering all of
 * them cost ~10 ms on every start), every command for the help overview.
 */
export function buildCli(command?: string, opts: { hidden?: boolean } = {}): CAC {
  const cli = cac("bunbox");
  cli.option("--root <dir>", "Where bunbox keeps images and containers (default /var/lib/bunbox, /run/bunbox; env BUNBOX_ROOT)", { type: [String] });
  cli.option("--help", "Show help");
  // Only --version here: cac would give every command the alias, and `run -v` is --volume
  cli.option("--version", "Print version information and quit (also -v before a command)");
  const only = command !== undefined ? COMMANDS[command] : undefined;
  const registered = new Set<CommandModule["register"]>();
  for (const mod of only ? [only] : Object.values(COMMANDS).filter((m) => opts.hidden || !m.hidden)) {
    if (registered.has(mod.register)) continue;
    registered.add(mod.register);
    mod.register(cli);
  }
  return cli;
}

export interface GlobalOptions {
  root?: string;
}

/** Runs one invocation; returns the process exit status. `makeContext` builds the real world lazily. */
export async function runCli(argv: string[], makeContext: (cli: CAC, global: GlobalOptions) => Promise<Context>): Promise<number> {
  const { global, command, rest } = splitGlobal(argv);
  const cli = buildCli(command === "help" ? undefined : command);
  let ctx: Context | undefined;
  try {
    const g = cli.parse(["bunbox", "bunbox", ...markValues(cli, undefined, global.map((a) => (a === "-v" ? "--version" : a)))], { run: false }).options;
    unmarkValues(g);
    cli.globalCommand.checkUnknownOptions();
    if (g.version || command === "version") {
      writeOut(command === "version" ? (await import("./commands/version.ts")).versionText(rest) : `bunbox version ${VERSION}\ncommit: ${COMMIT}\nspec: 1.2.0\n`);
      return 0;
    }
    if (command === undefined || command === "help" || g.help) {
      cli.outputHelp();
      return 0;
    }
    const mod = COMMANDS[command];
    if (!mod) throw new UnknownCommand(`'${command}' is not a bunbox command (see 'bunbox --help')`);
    ctx = await makeContext(cli, { root: lastString(g.root) ?? process.env.BUNBOX_ROOT });
    return await (await mod.load())(rest, ctx);
  } catch (e) {
    const { message, exitCode } = describeError(e, command, argv);
    writeErr(`bunbox: ${message}\n`);
    return exitCode;
  }
}

/** A command bunbox does not have: Docker's CLI answers 1. */
class UnknownCommand extends BunboxError {
  constructor(message: string) {
    super(message, 1);
  }
}

function lastString(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return v === undefined ? undefined : String(v);
}

export { parseWith };
