// The entry point and the only module with top-level effects: it picks the stage (the CLI, or
// the hidden init stage a container starts as), wires the real dependencies and sets the exit code.
import { INIT_STAGE, MONITOR_STAGE, USERNS_STAGE } from "./runtime/self.ts";
import { splitGlobal, splitRunArgs, lastBoolFlag } from "./cli/argv.ts";
import { RUN_VALUE_OPTIONS } from "./cli/commands/run-options.ts";
import { expandGroup } from "./cli/groups.ts";
// Static, unlike the rest: every stage and every attached `run` needs them first thing, and each
// chunk loaded by a dynamic import costs ~0.5-2 ms before the init stage can be spawned (timestamps;
// interleaved runs of run --rm busybox true: 79.6 -> 77.9 ms, --version +0.6 ms).
import { sys } from "./sys/kernel.ts";
import { spawnInit, RUN_STDIO, type SpawnedInit } from "./runtime/spawn-init.ts";
import { mark } from "./runtime/timeline.ts";
import type { CgroupHost } from "./cgroups/layout.ts";

async function main(): Promise<number> {
  mark("bunbox's code running");
  let args = process.argv.slice(2);
  if (args[0] === MONITOR_STAGE) {
    const { runMonitorStage } = await import("./runtime/monitor.ts");
    return runMonitorStage(sys, args.slice(1));
  }
  if (args[0] === USERNS_STAGE) {
    const { runUserNsStage } = await import("./runtime/userns-stage.ts");
    return runUserNsStage(sys);
  }
  if (args[0] === INIT_STAGE) {
    const { runInitStage } = await import("./runtime/init-stage.ts");
    return runInitStage(sys);
  }
  // Invoked through a link named runc or bunbox-runc: the OCI runtime command line
  // or called the way containerd's shim calls a runtime (`--root R --log F --log-format json create …`,
  // what `dockerd --add-runtime NAME=/path/to/bunbox` leads to): runc's global options say so
  if (RUNC_NAMES.has(invokedAs()) || (args[0]?.startsWith("-") && hasRuncGlobals(args))) args.unshift("runc");
  // `container run …`, `image ls`: Docker's names for the verbs, from here on the verbs themselves
  else args = expandGroup(args);
  // `run`: start the container's init stage first of all. It is a new Bun process that needs
  // ~20 ms to start; meanwhile this one parses, plans and builds the cgroup. If the command
  // fails before using it, closing its channel ends it quietly.
  const run = attachedRunOptions(args);
  let early: SpawnedInit | undefined;
  /** The host's cgroup layout, when read already for the early cgroup. */
  let cgroupHost: CgroupHost | undefined;
  try {
    if (run) {
      early = spawnInit(sys, { newPidNs: true, stdio: RUN_STDIO, staysAsInit: lastBoolFlag(run, "init") });
      mark("init stage spawned");
      // Its cgroup too, where no flag shapes it: the kernel's wait on its first move into a
      // cgroup then passes while the flags are parsed (runtime/early-cgroup.ts)
      if (!run.some(shapesCgroup)) cgroupHost = await (await import("./runtime/early-cgroup.ts")).startRunCgroup(sys, early);
    }
  } catch {
    // Not root, say: the command itself reports it (an init lost on the way is started again)
    if (early?.early?.taken) early = undefined;
  }
  try {
    // The OCI command line (containerd's shim, `bunbox runc …`) parses its own flags: bunbox's
    // command line (cac, every command's options: ~3 ms) is not loaded for it
    if (args[0] === "runc") {
      // create and run: the container's init first of all, as for an attached `run` (the other
      // commands, a process each for every container under Docker, load nothing for it)
      if (args.includes("create") || args.includes("run")) ({ init: early, cgroupHost } = await (await import("./cli/runc/early-init.ts")).startEarlyRunc(sys, args.slice(1)));
      const [{ runcCommand }, { realContext }] = await Promise.all([import("./cli/runc/index.ts"), import("./wiring.ts")]);
      try {
        return await runcCommand(args.slice(1), realContext(undefined, { root: process.env.BUNBOX_ROOT }, early, cgroupHost));
      } finally {
        // Unless the create took the cgroup made with the init over, it failed before: both go
        if (early?.early) await (await import("./runtime/early-cgroup.ts")).abandonEarlyCgroup(early);
      }
    }
    const { runCli } = await import("./cli/app.ts");
    // The real world (libc, cgroups, stores) is loaded only by commands that act on it
    return await runCli(args, async (cli, global) => (await import("./wiring.ts")).realContext(cli, global, early, cgroupHost));
  } finally {
    early?.channel.close();
  }
}

const RUNC_NAMES = new Set(["runc", "bunbox-runc"]);

/** --privileged (every device), --cgroup-parent, --cgroup-manager: the cgroup waits for the flags. */
function shapesCgroup(option: string): boolean {
  for (const name of ["--privileged", "--cgroup-parent", "--cgroup-manager"]) if (option === name || option.startsWith(`${name}=`)) return true;
  return false;
}

/** Global options only runc has (bunbox's own CLI has --root alone). */
function hasRuncGlobals(args: string[]): boolean {
  return splitGlobal(args).global.some((a) => /^--?(log|log-format|systemd-cgroup|criu|rootless|debug)(=|$)/.test(a));
}

/** The name this program was started as: argv[0] as the kernel saw it (Bun rewrites process.argv[0], not argv0). */
function invokedAs(): string {
  const name = process.argv0 ?? "";
  return name.slice(name.lastIndexOf("/") + 1);
}

/**
 * The options of an attached `run`, or undefined for any other command (a detached run starts
 * its init from the monitor; -t needs a pty first). No regular expressions: on the path to the
 * init stage's spawn, compiling each cost ~0.2 ms (timestamps).
 */
function attachedRunOptions(args: string[]): string[] | undefined {
  const { command, rest } = splitGlobal(args);
  if (command !== "run" || args.includes("--help")) return undefined;
  const { options } = splitRunArgs(rest, RUN_VALUE_OPTIONS);
  // --pid host or container:NAME: the init is not born in a new pid namespace; run.ts starts it
  return options.some((o) => DETACH_OR_TTY.has(o) || shortClusterHas(o, "dt") || o === "--pid" || o.startsWith("--pid=")) ? undefined : options;
}

const DETACH_OR_TTY = new Set(["--detach", "--detach=true", "--tty", "--tty=true"]);

/** -dit, -td: one of `letters` among the flags of a short cluster, before any value-taking letter (-e, -u …). */
function shortClusterHas(option: string, letters: string): boolean {
  if (option.length < 2 || option[0] !== "-" || option[1] === "-") return false;
  for (const c of option.slice(1)) {
    if (letters.includes(c)) return true;
    if (RUN_VALUE_OPTIONS.short.has(c)) return false;
  }
  return false;
}

// process.exit rather than exitCode: letting Bun tear the VM down by itself cost ~25 ms at exit
// (measured); all output is written synchronously (cli/output.ts), so nothing is lost.
process.exit(await main());
