// Building blocks for the OCI schemas: every leaf carries a message written for a person reading
// an error about their config.json, so the caller only has to prefix the JSON path.
// Pure: no I/O, no side effects on import.
import * as v from "valibot";

/** A short, bounded rendering of a bad input for error messages. */
export function show(input: unknown): string {
  if (input === undefined) return "nothing";
  let s: string;
  try {
    s = typeof input === "bigint" ? `${input}` : (JSON.stringify(input) ?? String(input));
  } catch {
    s = String(input);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export const str = () => v.string("expected a string");
export const bool = () => v.boolean("expected true or false");

export const strArray = () =>
  v.array(v.string("expected a string"), "expected an array of strings");

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

// valibot's object and record schemas take arrays as objects; JSON's [] is never a valid object
// here, so each one is guarded first.
const plainObject = (message: string) => v.custom<Record<string, unknown>>(isPlainObject, message);

/** An object whose unknown keys are kept: OCI allows extension fields almost everywhere. */
export function obj<const E extends v.ObjectEntries>(entries: E) {
  const message = "expected an object";
  return v.pipe(plainObject(message), v.looseObject(entries, message));
}

/** A JSON object used as a map (annotations, sysctl, rdma...). */
export function map<const K extends v.GenericSchema<string, string | number | symbol>, const T extends v.GenericSchema>(
  key: K,
  value: T,
  message: string,
) {
  return v.pipe(plainObject(message), v.record(key, value, message));
}

export const strMap = () =>
  map(v.string(), v.string("expected a string"), "expected an object of string values");

export function arrayOf<const T extends v.GenericSchema>(item: T, what: string) {
  return v.array(item, `expected an array of ${what}`);
}

/** An integer in [min, max]; `label` names the type the spec uses (uint32, int64, ...). */
function intRange(label: string, min: number, max: number, minText = `${min}`, maxText = `${max}`) {
  const msg = (i: { input: unknown }) =>
    `expected ${label} (${minText} to ${maxText}), got ${show(i.input)}`;
  return v.pipe(v.number(msg), v.integer(msg), v.minValue(min, msg), v.maxValue(max, msg));
}

// JSON numbers become IEEE doubles: 2^63-1 and 2^64-1 (RLIM_INFINITY, "no limit" in uint64
// fields) parse as 2^63 and 2^64, so the upper bounds below are the rounded values.
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

export const uint8 = () => intRange("a uint8", 0, 255);
export const uint16 = () => intRange("a uint16", 0, 65535);
export const uint32 = () => intRange("a uint32", 0, 4294967295);
export const int32 = () => intRange("an int32", -2147483648, 2147483647);
export const uint64 = () => intRange("a uint64", 0, TWO_64, "0", "18446744073709551615");
export const int64 = () =>
  intRange("an int64", -TWO_63, TWO_63, "-9223372036854775808", "9223372036854775807");
/** An integer in a range the spec or the kernel fixes (oomScoreAdj, swappiness, ioprio...). */
export const intIn = (min: number, max: number) => intRange("an integer", min, max);

/** One of a fixed list of strings, naming them all when the value is not one of them. */
export function oneOf<const T extends readonly string[]>(options: T) {
  return v.picklist(
    options,
    (i) => `invalid value ${show(i.input)} (expected one of ${options.join(", ")})`,
  );
}

/** An absolute path (starts with "/"); `what` says whose path it is. */
export function absPath(what = "path") {
  return v.pipe(
    str(),
    v.check((s) => s.startsWith("/"), (i) => `${what} must be absolute, got ${show(i.input)}`),
  );
}

/** A string matching `re`, with a plain-words description of the expected shape. */
export function matching(re: RegExp, shape: string) {
  return v.pipe(str(), v.regex(re, (i) => `expected ${shape}, got ${show(i.input)}`));
}
