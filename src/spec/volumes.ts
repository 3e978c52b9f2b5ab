// -v/--volume and --tmpfs arguments → OCI mount entries.
import { UsageError } from "./errors.ts";
import type { MountEntry } from "./docker-defaults.ts";

/** HOST:CTR[:OPTIONS] with OPTIONS a comma list of ro|rw (and propagation modes). */
export function parseVolume(arg: string): MountEntry {
  const parts = arg.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === "" && i < 2)) {
    throw new UsageError(`invalid volume specification: '${arg}': expected HOST-DIR:CONTAINER-DIR[:ro]`);
  }
  const [source, destination, mode = "rw"] = parts as [string, string, string?];
  if (!source.startsWith("/")) {
    throw new UsageError(`invalid volume specification: '${arg}': the host path must be absolute (named volumes are not supported)`);
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
  return { destination: clean(destination), type: "tmpfs", source: "tmpfs", options: ["noexec", "nosuid", "nodev", ...extra] };
}

function clean(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}
