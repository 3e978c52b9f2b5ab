// `exec`'s options, registered with cac without loading its code.
import type { CAC } from "cac";
import type { OptionSpec } from "../argv.ts";

export const EXEC_VALUE_OPTIONS: OptionSpec = {
  long: new Set(["env", "workdir", "user", "root"]),
  short: new Set(["e", "w", "u"]),
};

export function registerExec(cli: CAC): void {
  cli.command("exec <container> [...command]", "Run a command in a running container")
    .usage("exec [OPTIONS] CONTAINER COMMAND [ARG...]")
    .option("-i, --interactive", "Keep STDIN open")
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("-d, --detach", "Detached mode: run the command in the background")
    .option("--explain [mode]", "Narrate each system call on stderr (--explain=timing adds durations)")
    .option("-e, --env <KEY=VAL>", "Set environment variables", { type: [String] })
    .option("-w, --workdir <dir>", "Working directory inside the container", { type: [String] })
    .option("-u, --user <user>", "Username or UID (format: <name|uid>[:<group|gid>])", { type: [String] });
}
