// Docker's management commands: `docker container ls` is `docker ps`, `docker image rm` is
// `docker rmi`. Scripts and tutorials use both spellings, so each group word and subcommand is
// rewritten to the verb bunbox has before anything parses the line. No regular expressions: this
// runs on every start, on the way to an attached run's init stage (main.ts).
import { splitGlobal } from "./argv.ts";

/** group → subcommand → bunbox's verb (Docker's aliases included: ls/list/ps, rm/remove). */
export const GROUPS: Record<string, Record<string, string>> = {
  container: {
    ls: "ps", list: "ps", ps: "ps", rm: "rm", remove: "rm", inspect: "inspect", logs: "logs", stop: "stop",
    start: "start", kill: "kill", exec: "exec", run: "run", create: "create", top: "top", pause: "pause",
    unpause: "unpause", rename: "rename", stats: "stats", wait: "wait", restart: "restart",
  },
  image: { ls: "images", list: "images", rm: "rmi", remove: "rmi", import: "import" },
  volume: { create: "volume-create", ls: "volume-ls", list: "volume-ls", inspect: "volume-inspect", rm: "volume-rm", remove: "volume-rm", prune: "volume-prune" },
};

/**
 * `[global…] container ls -a` → `[global…] ps -a`. Anything else (`container prune`, no
 * subcommand, one bunbox does not have) is left to the group's own command, which answers it.
 */
export function expandGroup(args: string[]): string[] {
  const { global, command, rest } = splitGlobal(args);
  const verb = command === undefined ? undefined : GROUPS[command]?.[rest[0] ?? ""];
  if (verb === undefined || !Object.hasOwn(GROUPS[command!]!, rest[0]!)) return args;
  spelled = { verb, as: `${command} ${rest[0]}` };
  return [...global, verb, ...rest.slice(1)];
}

let spelled: { verb: string; as: string } | undefined;

/** The command as the user typed it, for messages: `container rm` rather than `rm`. */
export function typedName(verb: string): string {
  return spelled?.verb === verb ? spelled.as : verb.replace(/^volume-/, "volume ");
}

const SUMMARY: Record<string, string> = {
  container: "Manage containers", image: "Manage images", volume: "Manage volumes",
};

/** `bunbox container --help`: the subcommands, as `docker container` lists them. */
export function groupUsage(group: string, describe: (verb: string) => string): string {
  const subs = Object.entries(GROUPS[group]!);
  const primary = new Map<string, string[]>();
  for (const [sub, verb] of subs) primary.set(verb, [...(primary.get(verb) ?? []), sub]);
  // One line per verb, named by its first spelling; the others are Docker's aliases of it
  const lines = [...primary.entries()].map(([verb, names]) => [names[0]!, `${describe(verb)}${names.length > 1 ? ` (also: ${names.slice(1).join(", ")})` : ""}`]);
  if (group === "container") lines.push(["prune", "Remove all stopped containers"]);
  lines.sort((a, b) => a[0]!.localeCompare(b[0]!));
  const width = Math.max(...lines.map((l) => l[0]!.length));
  return `\nUsage:  bunbox ${group} COMMAND\n\n${SUMMARY[group]}\n\nCommands:\n${lines.map(([n, d]) => `  ${n!.padEnd(width)}  ${d}`).join("\n")}\n\nRun 'bunbox ${group} COMMAND --help' for more information on a command.\n`;
}
