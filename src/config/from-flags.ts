// docker-style `run` flags + an image → an OCI runtime spec, the way Docker builds config.json.
// Pure: everything it needs from the host (env, resolv.conf, hostname) comes in as arguments.
import { UsageError } from "./errors.ts";
import type { UsernsChoice } from "./userns-mode.ts";
import { computeCapabilities } from "./capabilities.ts";
import { DEFAULT_APPARMOR_PROFILE, DEFAULT_MOUNTS, DEFAULT_PATH, DEVICE_RULES, defaultCgroupOf, MASKED_PATHS, READONLY_PATHS, HOSTS_FILE, type MountEntry } from "./docker-defaults.ts";
import { expandEnvArg, mergeEnv } from "./env.ts";
import { parseGroup, parsePasswd, resolveUser, type UserFileProblems } from "./user.ts";
import { parseVolume, parseTmpfs } from "./volumes.ts";
import type { Seccomp, Spec, LinuxResources } from "./schema.ts";
import type { Namespace, NamespaceType } from "./linux.ts";
import type { ResourceSpec } from "./resource-flags.ts";
import type { NamespaceChoice } from "./namespace-modes.ts";
import type { AppArmorChoice } from "./security-opts.ts";
import { settingsAnnotations } from "./annotations.ts";

export interface RunFlags {
  name?: string;
  hostname?: string;
  env: string[];
  envFileLines: string[];
  workdir?: string;
  user?: string;
  /** --group-add: more supplementary groups (names from the image's /etc/group, or numbers). */
  groupAdd?: string[];
  volumes: string[];
  tmpfs: string[];
  readOnly: boolean;
  network: string;
  interactive: boolean;
  tty: boolean;
  entrypoint?: string;
  command: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  init?: boolean;
  /** --rm: the container and its upper layer go when it ends. */
  remove?: boolean;
  noNewPrivileges?: boolean;
  /** The OCI seccomp section to use (Docker's default, or a profile file), or none (unconfined). */
  seccomp?: Seccomp;
  /** --security-opt apparmor=…; absent: the host's default. */
  apparmor?: AppArmorChoice;
  /** -m, --cpus, --pids-limit, --ulimit …, already parsed and checked (resource-flags.ts). */
  resources?: ResourceSpec;
  /** The container's cgroupsPath (src/cgroups/manager.ts: a path, or systemd's slice:prefix:name). */
  cgroupsPath?: (id: string) => string;
  /** --shm-size in bytes (container-config.ts): the size of the /dev/shm tmpfs (Docker's default 64 MiB). */
  shmSize?: number;
  /** -v and --mount already planned (cli/commands/run-mounts.ts: volumes made bind mounts of their _data); else -v host binds only. */
  mounts?: MountEntry[];
  /**
   * --ipc/--pid, the other container already found (namespace-modes.ts): a path joins its namespace.
   * ipcShm: "none" mounts no /dev/shm (--ipc none), "host" binds the host's (--ipc host).
   */
  namespaces?: NamespaceChoice & { ipcShm?: "own" | "none" | "host" };
  /** --userns auto, --uidmap/--gidmap (userns-mode.ts): a user namespace with these mappings. */
  userns?: UsernsChoice;
}

export interface ImageInfo {
  /** The read-only image directory that becomes the overlay's lower layer. */
  rootfs: string;
  /** A stored image's shared layer of /etc mountpoints (runtime/init-layer.ts), over rootfs; none when the image has them. */
  initLayer?: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workdir: string;
  passwd: string;
  group: string;
  /** Why the image's passwd or group file was ignored (a fifo, a device, over 1 MiB): for errors. */
  userFileProblems?: UserFileProblems;
}

export interface HostFacts {
  env: Record<string, string | undefined>;
  hostname: string;
  resolvConf: string;
  hostsFile: string;
  /**
   * The host's /sys/devices/system/cpu/cpu<N>/thermal_throttle directories: masked as Docker masks
   * them (the container's /sys is the host's sysfs, so the glob is taken on the host).
   */
  thermalThrottle?: string[];
  /** The kernel knows overlayfs's "volatile" option (5.10+). */
  overlayVolatile?: boolean;
  /** AppArmor is enabled here: containers get bunbox-default unless told otherwise. */
  appArmor?: boolean;
}

export interface ContainerPaths {
  id: string;
  /** Where the overlay is mounted: the spec's root.path. */
  rootfs: string;
  upper: string;
  work: string;
  /** Directory holding the generated hostname, hosts and resolv.conf files. */
  dir: string;
}

export interface BuiltSpec {
  spec: Spec;
  /** Files to write into paths.dir before the container starts (name → content). */
  files: Record<string, string>;
}

export function specFromFlags(flags: RunFlags, image: ImageInfo, host: HostFacts, paths: ContainerPaths): BuiltSpec {
  const ownNetwork = parseNetwork(flags.network);
  const choice = flags.namespaces;
  const hostname = flags.hostname ?? (ownNetwork ? paths.id.slice(0, 12) : host.hostname);
  validateHostname(hostname);
  const args = containerArgs(flags, image);
  const user = resolveUser(flags.user, parsePasswd(image.passwd), parseGroup(image.group), flags.groupAdd, image.userFileProblems);
  const userEnv = [...flags.env, ...flags.envFileLines].flatMap((e) => expandEnvArg(e, host.env) ?? []);
  const env = mergeEnv([`PATH=${DEFAULT_PATH}`], image.env, [`HOSTNAME=${hostname}`], flags.tty ? ["TERM=xterm"] : [], userEnv);
  if (!env.some((e) => e.startsWith("HOME="))) env.push(`HOME=${user.home}`);
  const privileged = flags.privileged ?? false;
  const caps = computeCapabilities(flags.capAdd ?? [], flags.capDrop ?? [], privileged);
  const cwd = flags.workdir ?? (image.workdir || "/");
  if (!cwd.startsWith("/")) throw new UsageError(`the working directory '${cwd}' is invalid, it needs to be an absolute path`);

  const files: Record<string, string> = {
    hostname: hostname + "\n",
    hosts: ownNetwork ? HOSTS_FILE : host.hostsFile,
    "resolv.conf": ownNetwork ? containerResolvConf(host.resolvConf) : host.resolvConf,
  };
  const mounts: MountEntry[] = [
    // --privileged: /sys and the cgroup tree writable, as Docker gives them
    ...DEFAULT_MOUNTS.map((m) => (privileged && (m.type === "sysfs" || m.type === "cgroup") ? { ...m, options: m.options.filter((o) => o !== "ro") } : m))
      // --shm-size: Docker writes the size in bytes into /dev/shm's options
      .map((m) => (m.destination === "/dev/shm" && flags.shmSize !== undefined ? { ...m, options: [...m.options.filter((o) => !o.startsWith("size=")), `size=${flags.shmSize}`] } : m))
      // --ipc none: no /dev/shm at all; --ipc host: the host's own, as Docker binds it
      .flatMap((m) => (m.destination !== "/dev/shm" || !choice?.ipcShm || choice.ipcShm === "own" ? [m]
        : choice.ipcShm === "none" ? [] : [{ destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "nosuid", "noexec", "nodev"] }])),
    ...["resolv.conf", "hostname", "hosts"].map((f) => ({
      destination: `/etc/${f}`, type: "bind", source: `${paths.dir}/${f}`, options: ["rbind", "rprivate"],
    })),
    ...(flags.mounts ?? flags.volumes.map(parseVolume)),
    ...flags.tmpfs.map(parseTmpfs),
  ];
  rejectDuplicateDestinations(mounts.slice(mounts.findIndex((m) => m.destination === "/etc/hosts") + 1));

  const shared = (type: NamespaceType, how: NamespaceChoice["ipc"] | undefined) =>
    how === "host" ? [] : how !== undefined && how !== "new" ? [{ type, path: how.path }] : [{ type }];
  const namespaces: Namespace[] = [...shared("pid", choice?.pid), ...shared("ipc", choice?.ipc), { type: "uts" }, { type: "mount" }, { type: "cgroup" }];
  if (ownNetwork) namespaces.push({ type: "network" });
  if (flags.userns) {
    refuseHostNamespaces(flags, ownNetwork, choice);
    namespaces.push({ type: "user" });
  }

  const spec: Spec = {
    ociVersion: "1.2.0",
    process: {
      terminal: flags.tty,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) },
      args,
      env,
      cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: flags.noNewPrivileges ?? false,
      ...appArmorProfile(flags.apparmor ?? { kind: "default" }, privileged, host.appArmor ?? false),
      ...(flags.resources?.rlimits.length ? { rlimits: flags.resources.rlimits } : {}),
      // Always written, 0 unless asked, as Docker does: else the container inherits bunbox's own
      // score (a CLI at +500, or a service shielded at -900 shielding its containers too)
      oomScoreAdj: flags.resources?.oomScoreAdj ?? 0,
    },
    root: { path: paths.rootfs, readonly: flags.readOnly },
    hostname,
    mounts,
    annotations: settingsAnnotations({
      // --rm: the upper layer is deleted when the container ends, so nothing is lost by never
      // syncing it; otherwise each container's end synced the whole host filesystem under it
      // (~2.5 ms of writeback per `run --rm … true` here, as much as there is dirty data anywhere)
      overlay: { lower: image.initLayer ? `${image.initLayer}:${image.rootfs}` : image.rootfs, upper: paths.upper, work: paths.work, ...(flags.remove && host.overlayVolatile ? { volatile: true } : {}) },
      name: flags.name,
      // Docker attaches stdin only with -i; otherwise the program reads /dev/null
      stdinNull: !flags.interactive,
      init: flags.init ?? false,
      workdir: flags.workdir ?? (image.workdir || ""),
      entrypoint: entrypointOf(flags, image),
      user: flags.user,
      capAdd: capabilityNames(flags.capAdd),
      capDrop: capabilityNames(flags.capDrop),
    }),
    linux: {
      namespaces,
      ...cgroupOfFlags(flags, paths.id),
      maskedPaths: privileged ? [] : [...MASKED_PATHS, ...(host.thermalThrottle ?? [])],
      readonlyPaths: privileged ? [] : READONLY_PATHS,
      ...(flags.seccomp && !privileged ? { seccomp: flags.seccomp } : {}),
      rootfsPropagation: "rprivate",
      ...(flags.userns ? { uidMappings: flags.userns.uidMappings, gidMappings: flags.userns.gidMappings } : {}),
    },
  };
  return { spec, files };
}

/** The spec's cgroupsPath and resources (device rules included) for these flags: all the cgroup needs, known before the image is (cli run.ts makes it then). */
export function cgroupOfFlags(flags: RunFlags, id: string): { cgroupsPath: string; resources: LinuxResources } {
  return {
    resources: { ...flags.resources?.resources, devices: flags.privileged ? [{ allow: true, access: "rwm" }] : DEVICE_RULES },
    cgroupsPath: flags.cgroupsPath ? flags.cgroupsPath(id) : defaultCgroupOf(id).cgroupsPath,
  };
}


/**
 * As Docker's daemon writes process.apparmorProfile: the given profile, else "unconfined" for
 * --privileged, else the default profile; on a host without AppArmor nothing by default (there is
 * nothing to confine with), and a named profile is refused rather than silently not applied.
 */
export function appArmorProfile(choice: AppArmorChoice, privileged: boolean, hostHasAppArmor: boolean): { apparmorProfile?: string } {
  if (choice.kind === "unconfined") return { apparmorProfile: "unconfined" };
  if (choice.kind === "profile") {
    if (!hostHasAppArmor) throw new UsageError(`--security-opt apparmor=${choice.name}: AppArmor is not enabled on this host, so no profile can be applied (drop the option, or use apparmor=unconfined)`);
    return { apparmorProfile: choice.name };
  }
  if (!hostHasAppArmor) return {};
  return { apparmorProfile: privileged ? "unconfined" : DEFAULT_APPARMOR_PROFILE };
}

/**
 * A user namespace's root has no privilege over the host's namespaces: it could not mount a sysfs
 * of the host's network or an mqueue of its IPC, and --privileged's host devices would be
 * unusable. Docker refuses these with user namespaces on too.
 */
function refuseHostNamespaces(flags: RunFlags, ownNetwork: boolean, choice: RunFlags["namespaces"]): void {
  const host = [
    ...(flags.privileged ? ["--privileged"] : []), ...(ownNetwork ? [] : ["--network host"]),
    ...(choice?.pid === "host" ? ["--pid host"] : []), ...(choice?.ipc === "host" ? ["--ipc host"] : []),
  ];
  if (host.length) throw new UsageError(`${host.join(", ")} cannot be combined with a user namespace (--userns auto, --uidmap): its root has no privilege over the host's namespaces; use --userns host`);
}

function parseNetwork(network: string): boolean {
  if (network === "none" || network === "") return true;
  if (network === "host") return false;
  // Accepting it gave loopback only, silently: a user asking for bridge wants an address and a route
  if (network === "bridge" || network === "default") throw new UsageError(`--network ${network}: bridge networking is not available in bunbox yet; use --network none (loopback only, the default) or --network host`);
  throw new UsageError(`network ${network} not found: bunbox supports --network none and --network host`);
}

/** --cap-add/--cap-drop as Docker stores them: upper case, CAP_-prefixed (ALL kept), each once. */
function capabilityNames(names: string[] | undefined): string[] | undefined {
  if (!names?.length) return undefined;
  return [...new Set(names.map((n) => n.trim().toUpperCase()).map((n) => (n === "ALL" || n.startsWith("CAP_") ? n : `CAP_${n}`)))];
}

/** --entrypoint (one word; "" clears it) or the image's ENTRYPOINT. */
function entrypointOf(flags: RunFlags, image: ImageInfo): string[] {
  return flags.entrypoint !== undefined ? (flags.entrypoint === "" ? [] : [flags.entrypoint]) : image.entrypoint;
}

function containerArgs(flags: RunFlags, image: ImageInfo): string[] {
  const entrypoint = entrypointOf(flags, image);
  // Docker: an --entrypoint drops the image's CMD; a command given on the line replaces CMD
  const cmd = flags.command.length ? flags.command : flags.entrypoint !== undefined ? [] : image.cmd;
  const args = [...entrypoint, ...cmd];
  // Docker's daemon's words for an image without CMD or ENTRYPOINT and no command given
  if (args.length === 0) throw new UsageError("No command specified");
  return args;
}

function validateHostname(name: string): void {
  if (name.length > 64 || !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(name)) {
    throw new UsageError(`invalid hostname "${name}": use letters, digits, '-' and '.', at most 64 characters`);
  }
}

/** Docker drops loopback nameservers (they cannot answer inside another network namespace). */
function containerResolvConf(hostText: string): string {
  const kept = hostText.split("\n").filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  return kept.join("\n").replace(/\n*$/, "\n");
}

/** The user's mounts (-v, --tmpfs), those after the defaults and the three /etc files. */
function rejectDuplicateDestinations(mounts: MountEntry[]): void {
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.destination)) throw new UsageError(`duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
}
