// -v/--volume and --tmpfs arguments → OCI mount entries, or requests for a volume that the CLI
// finds or makes (named and anonymous volumes live under the state root: state/volumes.ts).
import { UsageError } from "./errors.ts";
import type { MountEntry } from "./docker-defaults.ts";

/** Docker's rule for a local volume's name (two characters at least). */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** One -v or --mount: a host directory, a volume (named, or anonymous: no name), or a tmpfs. */
export type MountRequest =
  | { kind: "bind"; entry: MountEntry; /** -v makes a missing host directory; --mount refuses it. */ createSource: boolean }
  | { kind: "volume"; name?: string; destination: string; readonly: boolean; /** volume-nocopy / :nocopy */ nocopy: boolean }
  | { kind: "tmpfs"; entry: MountEntry };

/**
 * -v as Docker's Linux parser reads it: /CTR (an anonymous volume), NAME:/CTR[:MODE] (a named
 * volume, made if missing), /HOST:/CTR[:MODE] (a bind mount).
 */
export function parseVolumeArg(arg: string): MountRequest {
  const parts = arg.split(":");
  if (parts.length === 1) {
    if (!arg.startsWith("/")) throw new UsageError(`invalid volume specification: '${arg}': the container path must be absolute`);
    if (clean(arg) === "/") throw new UsageError(`invalid volume specification: '${arg}': cannot mount over /`);
    return { kind: "volume", destination: clean(arg), readonly: false, nocopy: false };
  }
  if (parts[0]!.startsWith("/")) return { kind: "bind", entry: parseVolume(arg), createSource: true };
  if (parts.length > 3 || parts[1] === "") throw new UsageError(`invalid volume specification: '${arg}'`);
  const [name, destination, mode = "rw"] = parts as [string, string, string?];
  checkVolumeName(name);
  if (!destination.startsWith("/")) throw new UsageError(`invalid volume specification: '${arg}': the container path must be absolute`);
  if (clean(destination) === "/") throw new UsageError(`invalid volume specification: '${arg}': cannot mount over /`);
  let readonly = false, nocopy = false;
  for (const opt of mode.split(",")) {
    if (opt === "ro" || opt === "rw") readonly = opt === "ro";
    else if (opt === "nocopy") nocopy = true;
    else throw new UsageError(`invalid volume specification: '${arg}': unknown mode '${opt}' (use ro, rw or nocopy)`);
  }
  return { kind: "volume", name, destination: clean(destination), readonly, nocopy };
}

/** Docker's message for a name that is neither a volume name nor an absolute host path. */
export function checkVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new UsageError(`"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** HOST:CTR[:OPTIONS] with OPTIONS a comma list of ro|rw (and propagation modes). */
export function parseVolume(arg: string): MountEntry {
  const parts = arg.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === "" && i < 2)) {
    throw new UsageError(`invalid volume specification: '${arg}': expected HOST-DIR:CONTAINER-DIR[:ro]`);
  }
  const [source, destination, mode = "rw"] = parts as [string, string, string?];
  if (!source.startsWith("/")) {
    throw new UsageError(`invalid volume specification: '${arg}': the host path must be absolute`);
  }
  if (!destination.startsWith("/")) {
    throw new UsageError(`invalid volume specification: '${arg}': the container path must be absolute`);
  }
  if (destination === "/") throw new UsageError(`invalid volume specification: '${arg}': cannot mount over /`);
  const options = ["rbind"];
  let propagation = "rprivate";
  for (const opt of mode.split(",")) {
    if (opt === "ro" || opt === "rw") options.push(opt);
    else if (["private", "rprivate", "shared", "rshared", "slave", "rslave"].includes(opt)) propagation = opt;
    else throw new UsageError(`invalid volume specification: '${arg}': unknown mode '${opt}' (use ro or rw)`);
  }
  return { destination: clean(destination), type: "bind", source: clean(source), options: [...options, propagation] };
}

/** PATH[:OPTIONS] for --tmpfs, with Docker's defaults (noexec,nosuid,nodev). */
export function parseTmpfs(arg: string): MountEntry {
  const colon = arg.indexOf(":");
  const destination = colon < 0 ? arg : arg.slice(0, colon);
  const extra = colon < 0 ? [] : arg.slice(colon + 1).split(",").filter(Boolean);
  if (!destination.startsWith("/")) throw new UsageError(`invalid tmpfs mount: '${arg}': the path must be absolute`);
  for (const o of extra) {
    const kv = o.split("=", 2).length > 1 ? [o.slice(0, o.indexOf("=")), o.slice(o.indexOf("=") + 1)] : [o];
    // Docker's daemon (pkg/mount ParseTmpfsOptions): mount flags, or tmpfs's own data options
    if (!MOUNT_FLAGS.has(o) && !TMPFS_DATA.has(kv[0]!)) throw new UsageError(`Invalid tmpfs option [${kv.map((p) => JSON.stringify(p)).join(" ")}]`);
  }
  return { destination: clean(destination), type: "tmpfs", source: "tmpfs", options: ["noexec", "nosuid", "nodev", ...extra] };
}

const MOUNT_FLAGS = new Set(["defaults", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync",
  "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "bind", "rbind", "unbindable", "runbindable", "private",
  "rprivate", "shared", "rshared", "slave", "rslave", "relatime", "norelatime", "strictatime", "nostrictatime"]);
const TMPFS_DATA = new Set(["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"]);

export function clean(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}
