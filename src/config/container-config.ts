// Docker's settings that describe a container rather than what its process gets: labels, how
// `stop` ends it, the size of its /dev/shm. Parsed and checked here, with Docker's rules and
// messages, before anything is created; labels and the stop settings are kept in the container's
// record (inspect's Config), the shm size goes into the spec's /dev/shm mount.
import { UsageError } from "./errors.ts";
import { parseBytes } from "./resource-flags.ts";

/** Docker's default /dev/shm: 64 MiB (a --shm-size of 0 means this too). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
/** `stop` waits this long for the stop signal to work before SIGKILL, unless told otherwise. */
export const DEFAULT_STOP_TIMEOUT = 10;

/**
 * --label-file lines, then --label flags (later ones win), as Docker's ReadKVStrings: KEY=VALUE,
 * or a bare KEY for an empty value; in files, blank lines and `#` comments are skipped and the
 * key may not hold whitespace.
 */
export function parseLabels(flags: string[], files: { file: string; text: string }[]): Record<string, string> {
  const entries = [...files.flatMap(({ file, text }) => labelFileLines(text, file)), ...flags];
  const labels: Record<string, string> = {};
  for (const kv of entries) {
    const eq = kv.indexOf("=");
    labels[eq < 0 ? kv : kv.slice(0, eq)] = eq < 0 ? "" : kv.slice(eq + 1);
  }
  return labels;
}

function labelFileLines(text: string, file: string): string[] {
  return text.split("\n").flatMap((raw) => {
    const line = raw.replace(/\r$/, "").trimStart();
    if (line === "" || line.startsWith("#")) return [];
    const eq = line.indexOf("=");
    const key = eq < 0 ? line : line.slice(0, eq);
    // Docker's ErrBadKey wording
    if (key === "") throw new UsageError(`poorly formatted environment: no variable name on line '${line}' (in ${file})`);
    if (/\s/.test(key)) throw new UsageError(`poorly formatted environment: variable '${key}' contains whitespaces (in ${file})`);
    return [line];
  });
}

/** --stop-timeout: whole seconds; a negative one makes `stop` wait for as long as it takes (Docker). */
export function parseStopTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new UsageError(`invalid argument "${text}" for "--stop-timeout" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** --shm-size: go-units sizes (64m, 1g, 512k, bytes); 0 or unset is Docker's 64 MiB. */
export function parseShmSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SHM_SIZE;
  const n = parseBytes(text);
  if (n === undefined) throw new UsageError(`invalid argument "${text}" for "--shm-size" flag: invalid size: '${text}'`);
  return n === 0 ? DEFAULT_SHM_SIZE : n;
}
