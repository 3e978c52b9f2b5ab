// `bunbox run [OPTIONS] IMAGE [COMMAND [ARG...]]`
import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { splitRunArgs } from "../argv.ts";
import { RUN_VALUE_OPTIONS } from "./run-options.ts";
import { specFromFlags, type RunFlags } from "../../spec/from-flags.ts";
import { parseEnvFile } from "../../spec/env.ts";
import { UsageError } from "../../spec/errors.ts";
import { resourcesFromFlags } from "../../spec/resource-flags.ts";
import { hostResources } from "../../cgroups/host.ts";
import { parseSecurityOpts, type SeccompChoice } from "../../spec/security-opts.ts";
import { newId, generateName, NAME_PATTERN } from "../../state/ids.ts";
import { runContainer } from "../../runtime/run.ts";
import { spawnInit, RUN_STDIO, type SpawnedInit } from "../../runtime/spawn-init.ts";
import type { Context } from "../context.ts";
import { bool, list, str } from "../values.ts";

export async function runCommand(args: string[], ctx: Context): Promise<number> {
  const split = splitRunArgs(args, RUN_VALUE_OPTIONS);
  const parsed = ctx.parse("run", [...joinNegativeValues(split.options), ...(split.image !== undefined ? [split.image] : [])]);
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
    capAdd: list(o.capAdd),
    capDrop: list(o.capDrop),
    privileged: bool(o.privileged),
  };
  // Resource flags: every bad value fails here, before anything is created
  flags.resources = resourcesFromFlags({
    memory: str(o.memory), memorySwap: str(o.memorySwap), memoryReservation: str(o.memoryReservation),
    cpus: str(o.cpus), cpuShares: str(o.cpuShares), cpusetCpus: str(o.cpusetCpus), cpusetMems: str(o.cpusetMems),
    pidsLimit: str(o.pidsLimit), blkioWeight: str(o.blkioWeight), deviceReadBps: list(o.deviceReadBps),
    deviceWriteBps: list(o.deviceWriteBps), oomScoreAdj: str(o.oomScoreAdj), ulimits: list(o.ulimit),
  }, hostResources());
  flags.cgroupParent = str(o.cgroupParent);
  const security = parseSecurityOpts(list(o.securityOpt));
  flags.noNewPrivileges = security.noNewPrivileges;
  flags.seccomp = await seccompFor(security.seccomp, flags);
  if (flags.name !== undefined && !NAME_PATTERN.test(flags.name)) {
    throw new UsageError(`invalid container name "${flags.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  // The init stage, if main.ts did not start it already: its start-up (a new Bun process)
  // overlaps the work below
  const init = ctx.takeEarlyInit() ?? spawnInit(ctx.sys(), { newPidNs: true, stdio: RUN_STDIO });
  try {
    return await prepareAndRun(ctx, split.image, flags, bool(o.rm), init);
  } finally {
    init.channel.close();
  }
}

async function prepareAndRun(ctx: Context, imageRef: string, flags: RunFlags, remove: boolean, init: SpawnedInit): Promise<number> {
  const image = await ctx.images.resolve(imageRef);
  const id = newId();
  const dir = `${ctx.paths.containers}/${id}`;
  const paths = { id, dir, rootfs: `${dir}/rootfs`, upper: `${dir}/upper`, work: `${dir}/work` };
  const built = specFromFlags(flags, image, {
    env: process.env,
    hostname: osHostname(),
    resolvConf: readOptional("/etc/resolv.conf"),
    hostsFile: readOptional("/etc/hosts"),
  }, paths);
  // The spec is bunbox's own making (unit tests check it against the schema); validating it on
  // every run would cost ~7 ms of schema construction. `runc create` validates what it is given.
  const spec = built.spec;
  const store = ctx.containers();
  const name = flags.name ?? generateName((n) => store.nameTaken(n));
  return runContainer({
    id, name, image: imageRef, spec, files: built.files, paths, remove, init,
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

/** The OCI seccomp section for the container: none when unconfined or privileged. */
async function seccompFor(choice: SeccompChoice, flags: RunFlags): Promise<unknown> {
  if (choice.kind === "unconfined" || flags.privileged) return undefined;
  // Docker's default profile and profile files: compiled by src/linux/seccomp (not wired yet)
  if (choice.kind === "file") readText(choice.path, "seccomp profile");
  return undefined;
}

/** `--cpus -1`, `--oom-score-adj -500`: a value that looks like a flag is the option's value (as in docker's pflag). */
function joinNegativeValues(options: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const a = options[i]!, next = options[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : a.length === 2 && a.startsWith("-") ? a.slice(1) : undefined;
    const takesValue = name !== undefined && !a.includes("=") && (RUN_VALUE_OPTIONS.long.has(name) || RUN_VALUE_OPTIONS.short.has(name));
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a.startsWith("--") ? a : a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
