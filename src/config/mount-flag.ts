// --mount type=bind|volume|tmpfs,source=…,target=…,… as Docker 20.10 reads it: first the CLI's
// CSV parser (opts/mount.go: its messages, prefixed as pflag prefixes a flag's error), then the
// daemon's checks of the mount (volume/mounts: "invalid mount config for type …").
import { UsageError } from "./errors.ts";
import { parseBytes } from "./resource-flags.ts";
import { checkVolumeName, clean, type MountRequest } from "./volumes.ts";

const PROPAGATIONS = ["private", "rprivate", "shared", "rshared", "slave", "rslave"];

export function parseMountArg(arg: string): MountRequest {
  const flagError = (why: string) => new UsageError(`invalid argument "${arg}" for "--mount" flag: ${why}`);
  let type = "volume", source = "", target = "", readonly = false, nocopy = false, nonRecursive = false;
  let propagation: string | undefined, tmpfsSize: number | undefined, tmpfsMode: number | undefined;
  const used = { volume: false, bind: false, tmpfs: false };
  for (const field of csvFields(arg)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === "readonly" || key === "ro") { readonly = true; continue; }
      if (key === "volume-nocopy") { nocopy = used.volume = true; continue; }
      if (key === "bind-nonrecursive") { nonRecursive = used.bind = true; continue; }
      throw flagError(`invalid field '${field}' must be a key=value pair`);
    }
    const value = field.slice(eq + 1);
    const boolean = () => {
      const b = goBool(value);
      if (b === undefined) throw flagError(`invalid value for ${key}: ${value}`);
      return b;
    };
    switch (key) {
      case "type": type = value.toLowerCase(); break;
      case "source": case "src": source = value; break;
      case "target": case "dst": case "destination": target = value; break;
      case "readonly": case "ro": readonly = boolean(); break;
      case "consistency": break; // macOS only: accepted and ignored on Linux, as Docker does
      case "bind-propagation": propagation = value.toLowerCase(); used.bind = true; break;
      case "bind-nonrecursive": nonRecursive = boolean(); used.bind = true; break;
      case "volume-nocopy": nocopy = boolean(); used.volume = true; break;
      case "volume-driver": case "volume-opt": case "volume-label":
        // Only the local driver exists here, and it takes no options
        throw flagError(`${key}: bunbox has only local volumes, without options or labels`);
      case "tmpfs-size": {
        const n = parseBytes(value);
        if (n === undefined) throw flagError(`invalid value for ${key}: ${value}`);
        tmpfsSize = n; used.tmpfs = true; break;
      }
      case "tmpfs-mode": {
        if (!/^[0-7]+$/.test(value) || parseInt(value, 8) > 0xffffffff) throw flagError(`invalid value for ${key}: ${value}`);
        tmpfsMode = parseInt(value, 8); used.tmpfs = true; break;
      }
      default: throw flagError(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (target === "") throw flagError("target is required");
  for (const kind of ["volume", "bind", "tmpfs"] as const) {
    if (used[kind] && type !== kind) throw flagError(`cannot mix '${kind}-*' options with mount type '${type}'`);
  }
  // The daemon's checks, in its words
  const invalid = (why: string) => new UsageError(`invalid mount config for type "${type}": ${why}`);
  if (type !== "bind" && type !== "volume" && type !== "tmpfs") throw invalid("mount type unknown");
  if (!target.startsWith("/")) throw invalid(`invalid mount path: '${target}' mount path must be absolute`);
  const destination = clean(target);
  if (destination === "/") throw new UsageError("invalid specification: destination can't be '/'");
  if (type === "bind") {
    if (source === "") throw invalid("field Source must not be empty");
    if (!source.startsWith("/")) throw invalid(`invalid mount path: '${source}' mount path must be absolute`);
    if (propagation !== undefined && !PROPAGATIONS.includes(propagation)) throw invalid(`invalid propagation mode: ${propagation}`);
    const options = [nonRecursive ? "bind" : "rbind", ...(readonly ? ["ro"] : []), propagation ?? "rprivate"];
    return { kind: "bind", entry: { destination, type: "bind", source: clean(source), options }, createSource: false };
  }
  if (type === "tmpfs") {
    if (source !== "") throw invalid("field Source must not be specified");
    const options = ["noexec", "nosuid", "nodev", ...(readonly ? ["ro"] : []), ...(tmpfsSize !== undefined ? [`size=${tmpfsSize}`] : []), ...(tmpfsMode !== undefined ? [`mode=${tmpfsMode.toString(8)}`] : [])];
    return { kind: "tmpfs", entry: { destination, type: "tmpfs", source: "tmpfs", options } };
  }
  if (source !== "") checkVolumeName(source);
  return { kind: "volume", ...(source !== "" ? { name: source } : {}), destination, readonly, nocopy };
}

/** One CSV record, as Go's encoding/csv reads it: commas split, double quotes group ("" is a quote). */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === "") quoted = true;
    else if (c === ",") { fields.push(cur); cur = ""; } else cur += c;
  }
  fields.push(cur);
  return fields;
}

/** Go's strconv.ParseBool. */
function goBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}
