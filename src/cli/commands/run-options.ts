// `run`'s options: registered with cac for parsing and help, without loading the engine.
import type { CAC } from "cac";
import type { OptionSpec } from "../argv.ts";

export const RUN_VALUE_OPTIONS: OptionSpec = {
  long: new Set(["name", "hostname", "env", "env-file", "workdir", "user", "volume", "tmpfs", "network", "entrypoint", "root", "cap-add", "cap-drop", "security-opt"]),
  short: new Set(["h", "e", "w", "u", "v"]),
};

export function registerRun(cli: CAC): void {
  cli.command("run <image> [...command]", "Create and run a new container from an image")
    .usage("run [OPTIONS] IMAGE [COMMAND] [ARG...]")
    .option("--name <name>", "Assign a name to the container", { type: [String] })
    .option("-h, --hostname <name>", "Container host name", { type: [String] })
    .option("-e, --env <KEY=VAL>", "Set environment variables", { type: [String] })
    .option("--env-file <file>", "Read in a file of environment variables", { type: [String] })
    .option("-w, --workdir <dir>", "Working directory inside the container", { type: [String] })
    .option("-u, --user <user>", "Username or UID (format: <name|uid>[:<group|gid>])", { type: [String] })
    .option("--rm", "Automatically remove the container when it exits")
    .option("--explain [mode]", "Narrate each system call that makes the container on stderr (--explain=timing adds durations)")
    .option("--init", "Run an init inside the container that forwards signals and reaps processes")
    .option("-d, --detach", "Run the container in the background and print its id")
    .option("-v, --volume <HOST:CTR[:ro]>", "Bind mount a host directory", { type: [String] })
    .option("--tmpfs <path>", "Mount a tmpfs directory", { type: [String] })
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--network <mode>", "Network: none (own namespace, loopback only) or host", { type: [String] })
    .option("-i, --interactive", "Keep STDIN open")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("--cap-add <cap>", "Add Linux capabilities (or ALL)", { type: [String] })
    .option("--cap-drop <cap>", "Drop Linux capabilities (or ALL)", { type: [String] })
    .option("--privileged", "Give extended privileges: all capabilities, no seccomp, no masked paths")
    .option("--security-opt <opt>", "no-new-privileges, seccomp=unconfined or seccomp=PROFILE.json", { type: [String] })
    .option("--entrypoint <cmd>", "Overwrite the default ENTRYPOINT of the image", { type: [String] })
    .example("run --rm busybox echo hello")
    .example("run --rm -e NAME=world busybox sh -c 'echo hello $NAME'");
}
