// `bunbox run [OPTIONS] IMAGE [COMMAND [ARG...]]`
import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import type { CAC } from "cac";
import { splitRunArgs, type OptionSpec } from "../argv.ts";
import { specFromFlags, type RunFlags } from "../../spec/from-flags.ts";
import { parseEnvFile } from "../../spec/env.ts";
import { UsageError } from "../../spec/errors.ts";
import { parseSpec } from "../../spec/schema.ts";
import { newId, generateName, NAME_PATTERN } from "../../state/ids.ts";
import { runContainer } from "../../runtime/run.ts";
import type { Context } from "../context.ts";
import { bool, list, str } from "../values.ts";

export const RUN_VALUE_OPTIONS: OptionSpec = {
  long: new Set(["name", "hostname", "env", "env-file", "workdir", "user", "volume", "tmpfs", "network", "entrypoint", "root"]),
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
    .option("-v, --volume <HOST:CTR[:ro]>", "Bind mount a host directory", { type: [String] })
    .option("--tmpfs <path>", "Mount a tmpfs directory", { type: [String] })
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--network <mode>", "Network: none (own namespace, loopback only) or host", { type: [String] })
    .option("-i, --interactive", "Keep STDIN open")
    .option("--entrypoint <cmd>", "Overwrite the default ENTRYPOINT of the image", { type: [String] })
    .example("run --rm busybox echo hello")
    .example("run --rm -e NAME=world busybox sh -c 'echo hello $NAME'");
}

export async function runCommand(args: string[], ctx: Context): Promise<number> {
  const split = splitRunArgs(args, RUN_VALUE_OPTIONS);
  const parsed = ctx.parse("run", [...split.options, ...(split.image !== undefined ? [split.image] : [])]);
  if (parsed.help) return 0;
  const o = parsed.options;
  if (split.image === undefined) throw new UsageError(`"bunbox run" requires at least 1 argument: bunbox run [OPTIONS] IMAGE [COMMAND] [ARG...]`);

  const flags: RunFlags = {
    name: str(o.name),
    hostname: str(o.hostname),
    env: list(o.env),
    envFileLines: list(o.envFile).flatMap((f) => parseEnvFile(readText(f, "env file"), f)),
    workdir: str(o.workdir),
    user: str(o.user),
    volumes: list(o.volume),
    tmpfs: list(o.tmpfs),
    readOnly: bool(o.readOnly),
    network: str(o.network) ?? "none",
    interactive: bool(o.interactive),
    tty: false,
    entrypoint: str(o.entrypoint),
    command: split.command,
  };
  if (flags.name !== undefined && !NAME_PATTERN.test(flags.name)) {
    throw new UsageError(`invalid container name "${flags.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const image = await ctx.images.resolve(split.image);
  const id = newId();
  const dir = `${ctx.paths.containers}/${id}`;
  const paths = { id, dir, rootfs: `${dir}/rootfs`, upper: `${dir}/upper`, work: `${dir}/work` };
  const built = specFromFlags(flags, image, {
    env: process.env,
    hostname: osHostname(),
    resolvConf: readOptional("/etc/resolv.conf"),
    hostsFile: readOptional("/etc/hosts"),
  }, paths);
  const spec = parseSpec(built.spec);
  const store = ctx.containers();
  const name = flags.name ?? generateName((n) => store.nameTaken(n));
  return runContainer({
    id, name, image: split.image, spec, files: built.files, paths, remove: bool(o.rm), interactive: flags.interactive,
  }, { sys: ctx.sys(), cgroupHost: ctx.cgroupHost(), store });
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
  }
}

function readOptional(path: string): string {
  try { return readFileSync(path, "utf8"); } catch { return ""; }
}
