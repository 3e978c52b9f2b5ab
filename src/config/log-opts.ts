// `--log-opt KEY=VALUE` for the json-file log of a -d container, read as Docker reads them:
// max-size with go-units' FromHumanSize (decimal units: 1k = 1000 bytes, 10m = 10,000,000), max-file
// with strconv.Atoi, and Docker's error words. Docker's own default is no bound; bunbox's is
// DEFAULT_LOG_OPTS, merged key by key under what the user gives, as Docker merges a daemon.json
// `log-opts` default into each container's options (so `--log-opt max-file=5` alone keeps 10m).
import { UsageError } from "./errors.ts";

/**
 * A log that a chatty or hostile container cannot grow past 30 MB: three files of 10 MB (the
 * size kubelet rotates container logs at), enough for `logs` to show recent history.
 */
export const DEFAULT_LOG_OPTS: Readonly<Record<string, string>> = { "max-file": "3", "max-size": "10m" };

/** What the writer and readers need from the options. */
export interface LogLimits {
  /** A file is rotated before a record is written once it holds this many bytes. */
  maxSize: number;
  /** How many files are kept: the live one and maxFile - 1 rotated ones (.1 the newest). */
  maxFile: number;
}

/** Options json-file accepts (Docker's ValidateLogOpt); only the two that bound the disk act here. */
const KNOWN = new Set(["max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"]);
const ACTING = new Set(["max-file", "max-size"]);

/** The --log-opt values → the container's options (defaults merged in); throws Docker's errors. */
export function logOptsFromFlags(values: string[]): Record<string, string> {
  const given: Record<string, string> = {};
  for (const v of values) {
    // Docker's ConvertKVStringsToMap: no "=" is a key with an empty value
    const eq = v.indexOf("=");
    const [key, value] = eq < 0 ? [v, ""] : [v.slice(0, eq), v.slice(eq + 1)];
    if (!KNOWN.has(key)) throw new UsageError(`unknown log opt '${key}' for json-file log driver`);
    if (!ACTING.has(key)) throw new UsageError(`log opt '${key}' of the json-file log driver is not supported by bunbox (max-size and max-file are)`);
    given[key] = value;
  }
  const opts = { ...DEFAULT_LOG_OPTS, ...given };
  logLimits(opts); // every bad value fails now, before anything is created
  return opts;
}

/** The limits of validated options (a record written before options existed gets the defaults). */
export function logLimits(opts: Readonly<Record<string, string>> | undefined): LogLimits {
  const o = { ...DEFAULT_LOG_OPTS, ...opts };
  const maxSize = fromHumanSize(o["max-size"]!);
  if (maxSize <= 0) throw new UsageError("failed to initialize logging driver: max-size must be a positive number");
  const mf = o["max-file"]!;
  // strconv.Atoi: an optional sign and decimal digits, nothing else
  if (!/^[+-]?\d+$/.test(mf)) throw new UsageError(`failed to initialize logging driver: strconv.Atoi: parsing "${mf}": invalid syntax`);
  const maxFile = Number(mf);
  if (maxFile < 1) throw new UsageError("failed to initialize logging driver: max-file cannot be less than 1");
  // A bound on what readers scan; Docker has none, but a million files is no longer a bound
  if (maxFile > 1000) throw new UsageError(`failed to initialize logging driver: max-file ${mf} is more than bunbox keeps (1000)`);
  return { maxSize, maxFile };
}

const DECIMAL: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units FromHumanSize (v0.4): "10m", "1.5k", "44kB", "2 MiB" (still decimal); bytes, truncated. */
export function fromHumanSize(text: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!m) throw new UsageError(`failed to initialize logging driver: invalid size: '${text}'`);
  const n = Number(m[1]);
  if (Number.isNaN(n)) throw new UsageError(`failed to initialize logging driver: strconv.ParseFloat: parsing "${m[1]}": invalid syntax`);
  return Math.trunc(n * DECIMAL[(m[2] ?? "").toLowerCase()]!);
}
