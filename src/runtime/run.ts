// `bunbox run`: a bundle made from flags, then either watched to its end by this process
// (attached) or handed to a monitor process that outlives the CLI (-d).
import { mkdirSync, writeFileSync, existsSync, statSync, chownSync, chmodSync } from "../sys/files.ts";
import type { Spec } from "../config/schema.ts";
import type { ContainerPaths } from "../config/from-flags.ts";
import { bunboxSettings } from "../config/annotations.ts";
import type { ContainerRecord, RecordConfig } from "../state/containers.ts";
import { generateName } from "../state/ids.ts";
import { superviseContainer, removeContainerFiles, type SuperviseDeps } from "./supervise.ts";
import { startMonitor } from "./monitor-client.ts";
import type { SpawnedInit, Stdio } from "./spawn-init.ts";
import type { Narration } from "./narrate.ts";
import { makeEtcMountpoints, ETC_MOUNTPOINTS } from "./init-layer.ts";
import { hostOwner } from "./user-namespace.ts";
import { mark } from "./timeline.ts";
import type { OwnedCgroup } from "../cgroups/owned.ts";

export interface RunRequest {
  id: string;
  name: string;
  image: string;
  spec: Spec;
  files: Record<string, string>;
  paths: ContainerPaths;
  remove: boolean;
  detach: boolean;
  /** The log's options (--log-opt, defaults merged in): -d, or attached and kept (its relay writes the log). */
  logConfig?: Record<string, string>;
  /** The name was made up by bunbox: on a clash with a concurrent run, make up another. */
  generatedName?: boolean;
  /** An init stage started early with the same stdio (attached runs; see createContainer). */
  init?: SpawnedInit;
  /** Its cgroup, made and joined from the flags already (create.ts startCgroup). */
  cgroup?: OwnedCgroup;
  /** The container's stdio when not bunbox's own (-t: the pty's slave). */
  stdio?: [Stdio, Stdio, Stdio];
  /** Called once its program runs (-t starts copying the terminal then). */
  onStarted?(): void;
  narrate?: Narration;
  /** -t: receives the master of the pty the init opened inside the container. */
  onConsole?(master: number): void;
  /** Labels and stop settings, recorded as given. */
  config?: RecordConfig;
}

export type RunDeps = SuperviseDeps;

/** Attached: runs the container to its end and returns its exit status. */
export async function runAttached(req: RunRequest, deps: RunDeps): Promise<number> {
  // Written while the init joins its cgroup (create.ts prepare): off the critical path
  const rec = newRecord(req);
  return superviseContainer(rec, req.spec, { stdio: req.stdio ?? ["ignore", "ignore", "ignore"], init: req.init, cgroup: req.cgroup, forwardSignals: true, dieWithParent: true, onStarted: req.onStarted, narrate: req.narrate, onConsole: req.onConsole, writeRecord: (running) => writeRecord(req, { ...rec, ...running }, deps) }, deps);
}

/** -d: starts the container under a monitor and returns once its program runs. */
export async function runDetached(req: RunRequest, deps: RunDeps): Promise<ContainerRecord> {
  const rec = createRecord(req, deps);
  return startMonitor(rec, deps);
}

/**
 * `bunbox create`, as runc's create: the container set up under its monitor, its init waiting on
 * the exec fifo before the program until `bunbox start` opens it (Created; gc keeps it).
 */
export async function createContainerOnly(req: RunRequest, deps: RunDeps): Promise<ContainerRecord> {
  const rec = createRecord(req, deps);
  return startMonitor(deps.store.update(rec.id, { manualStart: true }) ?? rec, deps, { create: true });
}

/** Claims the name, writes the bundle and the "created" record; undoes all of it on failure. */
function createRecord(req: RunRequest, deps: RunDeps): ContainerRecord {
  return writeRecord(req, newRecord(req), deps);
}

/** The "created" record these flags make (nothing written). */
function newRecord(req: RunRequest): ContainerRecord {
  return {
    id: req.id, name: req.name, image: req.image, command: req.spec.process?.args ?? [],
    created: new Date().toISOString(), bundle: req.paths.dir, status: "created", autoRemove: req.remove, ...req.config,
    ...(req.detach || req.logConfig ? { logPath: logPathOf(req.paths.dir, req.id), logConfig: req.logConfig } : {}),
  };
}

/** A container's json-file log, in its bundle (Docker's <id>-json.log). */
export function logPathOf(bundle: string, id: string): string {
  return `${bundle}/${id}-json.log`;
}

/** `rec` written: its name claimed (another made up on a clash, if bunbox made it up), the bundle, the record. */
function writeRecord(req: RunRequest, made: ContainerRecord, deps: RunDeps): ContainerRecord {
  let name = req.name;
  for (let attempt = 0; ; attempt++) {
    try {
      deps.store.claimName(name, req.id);
      break;
    } catch (e) {
      // Claiming is atomic (O_EXCL); "taken" was only a hint when the name was chosen
      if (!req.generatedName || attempt >= 20) throw e;
      name = generateName((n) => deps.store.nameTaken(n));
    }
  }
  const rec: ContainerRecord = { ...made, name };
  try {
    prepareBundle(req);
    deps.store.save(rec);
    mark("name claimed, bundle and record written");
    return rec;
  } catch (e) {
    removeContainerFiles(deps.store, rec);
    throw e;
  }
}

function prepareBundle(req: RunRequest): void {
  const { paths } = req;
  // Root's alone: the upper layer holds what the container wrote (setuid binaries too: a host
  // user must not reach them, CVE-2021-41091) and config.json its environment
  for (const dir of [paths.dir, paths.upper, paths.work, paths.rootfs]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The files bind-mounted into the container (hosts, resolv.conf…) are read there by any user
  for (const [name, content] of Object.entries(req.files)) writeFileSync(`${paths.dir}/${name}`, content, { mode: 0o644 });
  writeFileSync(`${paths.dir}/config.json`, JSON.stringify(req.spec, null, 2) + "\n", { mode: 0o600 });
  // Its log, empty until the program writes: `logs -f` follows it from the start
  if (req.detach || req.logConfig) writeFileSync(logPathOf(paths.dir, req.id), "", { mode: 0o640 });
  const { overlay } = bunboxSettings(req.spec.annotations);
  if (overlay) {
    // The image's root is the last lower layer; a stored image's shared init layer may be above it
    const layers = overlay.lower.split(":"), image = layers.at(-1)!;
    // The overlay's root directory is the upper layer's: it gets the image root's owner and mode
    // (a 0700 root would keep `-u nobody` from listing /)
    // In a user namespace the image is seen through its mapping, and the upper layer holds host ids
    const owner = hostOwner(req.spec);
    const st = statSync(image), root = owner(st.uid, st.gid);
    chownSync(paths.upper, root.uid, root.gid);
    chmodSync(paths.upper, st.mode & 0o7777);
    // A stored image's shared init layer is made with the image's resolution (cli run.ts)
    if (layers.length === 1) makeEtcMountpoints(image, paths.upper, ETC_MOUNTPOINTS, owner);
  }
  // Docker creates a missing host directory for -v HOST:CTR
  for (const m of req.spec.mounts ?? []) {
    if (m.type === "bind" && m.source && !m.source.startsWith(paths.dir) && !existsSync(m.source)) mkdirSync(m.source, { recursive: true });
  }
}
