// `bunbox run [OPTIONS] IMAGE [COMMAND [ARG...]]`
import { readFileSync } from "../../sys/files.ts";
import { splitRunArgs } from "../argv.ts";
import { RUN_VALUE_OPTIONS } from "./run-options.ts";
import { specFromFlags, appArmorProfile, cgroupOfFlags, type RunFlags, type ImageInfo } from "../../config/from-flags.ts";
import { parseEnvFile } from "../../config/env.ts";
import { parseUserns } from "../../config/userns-mode.ts";
import { hostOwner } from "../../runtime/user-namespace.ts";
import { UsageError, ArgumentCountError } from "../../config/errors.ts";
import { resourcesFromFlags } from "../../config/resource-flags.ts";
import { parseShmSize } from "../../config/container-config.ts";
import { containerSettings } from "./run-config.ts";
import type { RecordConfig } from "../../state/containers.ts";
import { makeVolumes, type PlannedMounts } from "./run-mounts.ts";
import { VolumeStore, volumesDirFor } from "../../state/volumes.ts";
import { chooseManager, cgroupsPathFor } from "../../cgroups/manager.ts";
import { parseSecurityOpts } from "../../config/security-opts.ts";
import { seccompFromFlags } from "../../config/seccomp-from-flags.ts";
import { logOptsFromFlags, logLimits } from "../../config/log-opts.ts";
import { RotatingLogFile } from "../../runtime/log-file.ts";
import { ARCH } from "../../sys/arch.ts";
import { newId, generateName, NAME_PATTERN } from "../../state/ids.ts";
import { runAttached, runDetached, createContainerOnly, logPathOf } from "../../runtime/run.ts";
import { spawnInit, RUN_STDIO, type SpawnedInit, type Stdio } from "../../runtime/spawn-init.ts";
import { startRelay } from "../relay.ts";
import { parseAttach } from "../attach.ts";

/** -t: the container's stdio is the pty its init opens inside it; the init itself gets none of bunbox's. */
const NO_STDIO: [Stdio, Stdio, Stdio] = ["ignore", "ignore", "ignore"];
import type { Context } from "../context.ts";
import { openTerminal } from "../terminal.ts";
import { narrationFor, narrate, type Narration } from "../../runtime/narrate.ts";
import { mark, fullTimeline } from "../../runtime/timeline.ts";
import { ensureInitLayer } from "../../runtime/init-layer.ts";
import { startCgroup } from "../../runtime/create.ts";
import { abandonStart } from "../../runtime/abandon.ts";
import { abandonEarlyCgroup } from "../../runtime/early-cgroup.ts";
import type { OwnedCgroup } from "../../cgroups/owned.ts";
import { bool, list, str } from "../values.ts";

export interface ParsedRun {
  image: string;
  flags: RunFlags;
  o: Record<string, unknown>;
  /** What the container's record keeps of the flags (labels, stop settings, volumes). */
  config: RecordConfig;
  mounts: PlannedMounts;
  /** --log-opt with the defaults merged in (used by -d and create). */
  logConfig: Record<string, string>;
}

/** `run`'s arguments → the image reference and the flags (shared with `bunbox explain run`). */
export async function parseRun(args: string[], ctx: Context, command: "run" | "create" = "run"): Promise<ParsedRun | undefined> {
  const split = splitRunArgs(args, RUN_VALUE_OPTIONS);
  const parsed = ctx.parse(command, [...split.options, ...(split.image !== undefined ? [split.image] : [])]);
  if (parsed.help) return undefined;
  const o = parsed.options;
  if (split.image === undefined) throw new ArgumentCountError(`"bunbox ${command}" requires at least 1 argument: bunbox ${command} [OPTIONS] IMAGE [COMMAND] [ARG...]`);

  const flags: RunFlags = {
    name: str(o.name),
    hostname: str(o.hostname),
    env: list(o.env),
    envFileLines: list(o.envFile).flatMap((f) => parseEnvFile(readText(f, "env file"), f)),
    workdir: str(o.workdir),
    user: str(o.user),
    groupAdd: list(o.groupAdd),
    volumes: list(o.volume),
    tmpfs: list(o.tmpfs),
    readOnly: bool(o.readOnly),
    network: str(o.network) ?? "none",
    interactive: bool(o.interactive),
    tty: bool(o.tty),
    entrypoint: str(o.entrypoint),
    command: split.command,
    capAdd: list(o.capAdd),
    capDrop: list(o.capDrop),
    privileged: bool(o.privileged),
    init: bool(o.init),
    remove: bool(o.rm),
    shmSize: parseShmSize(str(o.shmSize)),
    userns: parseUserns({ userns: str(o.userns), uidmap: list(o.uidmap), gidmap: list(o.gidmap) }, ctx.host().subordinateIds),
  };
  const { config, namespaces, mounts } = containerSettings(o, ctx, readText);
  flags.namespaces = namespaces;
  flags.mounts = mounts.entries;
  // Resource flags: every bad value fails here, before anything is created
  flags.resources = resourcesFromFlags({
    memory: str(o.memory), memorySwap: str(o.memorySwap), memoryReservation: str(o.memoryReservation),
    cpus: str(o.cpus), cpuShares: str(o.cpuShares), cpusetCpus: str(o.cpusetCpus), cpusetMems: str(o.cpusetMems),
    pidsLimit: str(o.pidsLimit), blkioWeight: str(o.blkioWeight), deviceReadBps: list(o.deviceReadBps),
    deviceWriteBps: list(o.deviceWriteBps), oomScoreAdj: str(o.oomScoreAdj), ulimits: list(o.ulimit),
  }, ctx.host().resources);
  const manager = chooseManager(str(o.cgroupManager), { cgroups: ctx.cgroupHost(), systemdBooted: ctx.host().systemdBooted });
  const cgroupParent = str(o.cgroupParent);
  cgroupsPathFor(manager, "0", cgroupParent); // a bad --cgroup-parent fails here, before anything is made
  flags.cgroupsPath = (id) => cgroupsPathFor(manager, id, cgroupParent);
  const security = parseSecurityOpts(list(o.securityOpt));
  flags.noNewPrivileges = security.noNewPrivileges;
  flags.seccomp = await seccompFromFlags(security.seccomp, flags, ARCH, (path) => readText(path, "seccomp profile"));
  flags.apparmor = security.apparmor;
  // A profile this host cannot apply is refused now, before an image is imported or anything made
  appArmorProfile(security.apparmor, flags.privileged ?? false, ctx.appArmor().enabled);
  const logConfig = logOptsFromFlags(list(o.logOpt));
  if (flags.name !== undefined && !NAME_PATTERN.test(flags.name)) {
    throw new UsageError(`invalid container name "${flags.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return { image: split.image, flags, o, config, mounts, logConfig };
}

export async function runCommand(args: string[], ctx: Context): Promise<number> {
  // main.ts spawned an attached run's init already, and on v1 and hybrid hosts made its cgroup,
  // under a container id chosen then (runtime/early-cgroup.ts)
  const early = ctx.takeEarlyInit();
  try {
    return await runWith(args, ctx, early, early?.early?.id ?? newId());
  } finally {
    // Unless the container's creation took the cgroup over, the run failed before: it goes with the init
    if (early) await abandonEarlyCgroup(early);
  }
}

async function runWith(args: string[], ctx: Context, early: SpawnedInit | undefined, id: string): Promise<number> {
  const parsed = await parseRun(args, ctx);
  if (!parsed) return 0;
  mark("flags parsed");
  const { flags, o, config, mounts } = parsed;
  const split = { image: parsed.image };
  const attach = parseAttach(list(o.attach), flags.interactive);
  if (bool(o.detach) && list(o.attach).length) throw new UsageError("Conflicting options: -a and -d");
  if (bool(o.detach)) return prepareAndRun(ctx, split.image, flags, { remove: bool(o.rm), detach: true, config, mounts, logConfig: parsed.logConfig }, undefined, id);
  // Docker's daemon restarts an attached run's container after the client has gone; bunbox has
  // no daemon, and this process ends with the container: only a detached one's monitor can do it
  if (config.restartPolicy) throw new UsageError(`--restart ${str(o.restart)} needs -d: the monitor of a detached container restarts it (bunbox has no daemon)`);
  // Its output is logged as well as shown, as Docker logs an attached container's, unless --rm
  // removes the log with it (`bunbox logs` reads it after the run, as `docker logs` does)
  const kept = !bool(o.rm);
  const logFile = kept ? () => new RotatingLogFile(logPathOf(`${ctx.paths.containers}/${id}`, id), logLimits(parsed.logConfig)) : undefined;
  const logged = kept ? { logConfig: parsed.logConfig } : {};
  if (flags.tty) {
    // A pty is one stream, Docker's stdout: shown only if stdout is attached (logged either way)
    const term = openTerminal(ctx.sys(), flags.interactive, attach.stdout, logFile);
    try {
      // The init stage opens the container's pty inside it; bunbox's terminal never reaches it
      return await prepareAndRun(ctx, split.image, flags, { remove: bool(o.rm), detach: false, config, mounts, stdio: NO_STDIO, onConsole: (m) => term.onConsole(m), onStarted: () => term.attach(), ...logged }, undefined, id);
    } finally {
      await term.close();
    }
  }
  // The init stage, if main.ts did not start it already: its start-up (a new Bun process)
  // overlaps the work below
  // main.ts starts it early only for a pid namespace of the container's own (no --pid)
  const pidNs = flags.namespaces?.pid ?? "new";
  const init = early ?? spawnInit(ctx.sys(), { newPidNs: pidNs === "new", joinPidNs: typeof pidNs === "object" ? pidNs.path : undefined, stdio: RUN_STDIO, staysAsInit: flags.init });
  const relay = startRelay(init.relay!, flags.interactive === true, attach, logFile);
  const narration = narrationFor(explainMode(o.explain), ctx.sys().isatty(2));
  try {
    return await prepareAndRun(ctx, split.image, flags, { remove: bool(o.rm), detach: false, config, mounts, narrate: narration, ...logged }, init, id);
  } finally {
    init.channel.close();
    relay.stopInput();
    await relay.drained(5000);
    if (narration?.timing) {
      mark("output drained");
      narrate(fullTimeline("cli"));
    }
  }
}

/**
 * `bunbox create`: the container made as `run -d` makes it (bundle, record, name), left in
 * Created for `bunbox start`; prints its id, as docker create does.
 */
export async function createCommand(args: string[], ctx: Context): Promise<number> {
  const parsed = await parseRun(args, ctx, "create");
  if (!parsed) return 0;
  if (bool(parsed.o.detach)) throw new UsageError("unknown flag: --detach (create never starts the container: 'bunbox start' does)");
  parseAttach(list(parsed.o.attach), parsed.flags.interactive); // checked as Docker checks it; `start -a` attaches stdout and stderr
  return prepareAndRun(ctx, parsed.image, parsed.flags, { remove: bool(parsed.o.rm), detach: true, createOnly: true, config: parsed.config, mounts: parsed.mounts, logConfig: parsed.logConfig });
}

async function prepareAndRun(ctx: Context, imageRef: string, flags: RunFlags, how: { remove: boolean; detach: boolean; config?: RecordConfig; mounts?: PlannedMounts; createOnly?: boolean; logConfig?: Record<string, string>; stdio?: [Stdio, Stdio, Stdio]; onStarted?(): void; narrate?: Narration; onConsole?(master: number): void }, init?: SpawnedInit, id = newId()): Promise<number> {
  // An attached run's init is up: its cgroup is made now, from the flags, so that the kernel's
  // wait on its first move into it overlaps reading the image and building the spec (create.ts)
  const cgroup = init && !how.detach ? startCgroup(cgroupOfFlags(flags, id), init, { sys: ctx.sys(), cgroupHost: ctx.cgroupHost() }) : undefined;
  let made: string[] = [];
  const volumesDir = volumesDirFor(ctx.paths.containers);
  try {
    const image = await ctx.images.resolve(imageRef);
    // Before anything reads the layers (a user namespace maps them before the plan): made once per image
    if (image.initLayer) ensureInitLayer(image.initLayer, image.rootfs);
    mark("image found");
    const { paths, built } = buildSpec(ctx, image, flags, id);
    mark("spec built");
    // Root's state, checked (and refused as for any container) before a volume is made in it
    if (how.mounts?.volumes.length) ctx.containers();
    // Anonymous volumes made for this container go again if it never comes to exist
    made = how.mounts ? makeVolumes(how.mounts, volumesDir, image.rootfs, flags.userns && hostOwner(built.spec)) : [];
    return await startPrepared(ctx, imageRef, flags, how, init, id, paths, built, cgroup);
  } catch (e) {
    // The init ends, then the cgroup goes (createContainer has done both already if it got that
    // far: doing them again is harmless)
    if (cgroup) await abandonStart(init, cgroup);
    // (only then: the original error is what the user must see, whatever happens here)
    if (made.length) {
      try {
        const volumes = new VolumeStore(volumesDir);
        if (!ctx.containers().load(id)) for (const name of made) volumes.remove(name);
      } catch { /* left for volume prune */ }
    }
    throw e;
  }
}

async function startPrepared(ctx: Context, imageRef: string, flags: RunFlags, how: Parameters<typeof prepareAndRun>[3], init: SpawnedInit | undefined, id: string, paths: ReturnType<typeof buildSpec>["paths"], built: ReturnType<typeof buildSpec>["built"], cgroup?: OwnedCgroup): Promise<number> {
  // The spec is bunbox's own making (unit tests check it against the schema); validating it on
  // every run would cost ~7 ms of schema construction. `runc create` validates what it is given.
  const spec = built.spec;
  const store = ctx.containers();
  const name = flags.name ?? generateName((n) => store.nameTaken(n));
  const req = { id, name, image: imageRef, spec, files: built.files, paths, ...how, init, cgroup, generatedName: flags.name === undefined };
  const deps = { sys: ctx.sys(), cgroupHost: ctx.cgroupHost(), store, seccompCache: `${ctx.paths.run}/seccomp`, appArmor: ctx.appArmor(), host: ctx.host() };
  if (!how.detach) return runAttached(req, deps);
  if (how.createOnly) await createContainerOnly(req, deps);
  else await runDetached(req, deps);
  ctx.out(`${id}\n`);
  return 0;
}

/** A new container id, its paths, and the spec Docker would write for these flags and this image. */
export function buildSpec(ctx: Context, image: ImageInfo, flags: RunFlags, id = newId()) {
  const dir = `${ctx.paths.containers}/${id}`;
  const paths = { id, dir, rootfs: `${dir}/rootfs`, upper: `${dir}/upper`, work: `${dir}/work` };
  const host = ctx.host();
  const built = specFromFlags(flags, image, {
    env: process.env,
    hostname: host.files.hostname,
    resolvConf: host.files.resolvConf,
    hostsFile: host.files.hostsFile,
    thermalThrottle: host.files.thermalThrottle,
    overlayVolatile: host.kernel.overlayVolatile,
    appArmor: host.appArmor.confinesByDefault,
  }, paths);
  return { id, paths, built };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`);
  }
}

/** `--explain` alone is true; `--explain=timing` (or `--explain timing` before IMAGE) is "timing", `--explain=timeline` "timeline". */
export function explainMode(v: unknown): string | boolean | undefined {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (s === undefined || s === false) return undefined;
  return s === true || s === "" ? true : String(s);
}
