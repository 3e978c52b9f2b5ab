// Environment variables as Docker builds them: defaults, then the image's, then -e/--env-file,
// later ones replacing earlier ones of the same name.
import { UsageError } from "./errors.ts";

/** `KEY=VAL` stays; a bare `KEY` takes the host's value, or is dropped when the host has none. */
export function expandEnvArg(arg: string, hostEnv: Record<string, string | undefined>): string | undefined {
  const eq = arg.indexOf("=");
  const key = eq < 0 ? arg : arg.slice(0, eq);
  if (key === "") throw new UsageError(`invalid environment variable: ${arg}`);
  if (/\s/.test(key)) throw new UsageError(`invalid environment variable: ${arg}: variable names cannot contain whitespace`);
  if (eq >= 0) return arg;
  const value = hostEnv[key];
  return value === undefined ? undefined : `${key}=${value}`;
}

/** Lines of an --env-file: blank lines and `#` comments are skipped, the rest are -e arguments. */
export function parseEnvFile(text: string, file: string): string[] {
  return text.split("\n").flatMap((raw, i) => {
    const line = raw.replace(/\r$/, "").trimStart();
    if (line === "" || line.startsWith("#")) return [];
    if (line.startsWith("=")) throw new UsageError(`invalid environment variable in ${file} line ${i + 1}: ${line}`);
    return [line];
  });
}

/** Merges KEY=VAL lists; a later KEY replaces an earlier one in place. */
export function mergeEnv(...lists: string[][]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) for (const kv of list) {
    const key = kv.slice(0, kv.indexOf("=") < 0 ? kv.length : kv.indexOf("="));
    out.set(key, kv);
  }
  return [...out.values()];
}
