// `--security-opt seccomp=PROFILE.json`: Docker's profile format (names|name, includes/excludes,
// architectures or archMap) and plain OCI linux.seccomp JSON, which is the same shape minus the
// conditions. Validated with valibot; an error names the file and the JSON path of the bad value.
import * as v from "valibot";
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from "./seccomp.ts";
import { show } from "./valid.ts";
import type { DockerProfile } from "./docker-seccomp-profile.ts";
import { SeccompError } from "./errors.ts";

export { SeccompError } from "./errors.ts";

const TWO_64 = 2 ** 64;

const pick = <const T extends readonly string[]>(options: T) =>
  v.picklist(options, (i) => `invalid value ${show(i.input)}`);
const str = () => v.string((i) => `expected a string, got ${show(i.input)}`);
const list = <T extends v.GenericSchema>(item: T) =>
  v.nullish(v.array(item, (i) => `expected an array, got ${show(i.input)}`));
const isPlainObject = (x: unknown) => typeof x === "object" && x !== null && !Array.isArray(x);
/** valibot takes arrays for objects, so the shape is checked first; a missing key says so. */
const object = <const E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, (i) => `expected an object, got ${show(i.input)}`),
    v.looseObject(entries, (i) => (i.expected?.startsWith('"') ? "is required" : `expected an object, got ${show(i.input)}`)),
  );
const int = (label: string, max: number) => {
  const msg = (i: { input: unknown }) => `expected ${label}, got ${show(i.input)}`;
  return v.pipe(v.number(msg), v.integer(msg), v.minValue(0, msg), v.maxValue(max, msg));
};
const uint32 = () => int("a uint32", 0xffffffff);
const uint64 = () => int("a uint64", TWO_64);

const ArgSchema = object({
  index: int("an argument index (0 to 5)", 5),
  value: uint64(),
  valueTwo: v.optional(uint64()),
  op: pick(SECCOMP_OPERATORS),
});

const FilterSchema = v.optional(object({
  caps: list(str()),
  arches: list(str()),
  minKernel: v.optional(v.pipe(str(), v.regex(/^\d+(\.\d+){0,2}$/, (i) => `invalid kernel version ${show(i.input)}`))),
}));

const SyscallSchema = v.pipe(
  object({
    names: list(str()),
    name: v.optional(str()),
    action: pick(SECCOMP_ACTIONS),
    errnoRet: v.optional(uint32()),
    args: list(ArgSchema),
    comment: v.optional(v.unknown()),
    includes: FilterSchema,
    excludes: FilterSchema,
  }),
  v.check((s) => !(s.name && s.names?.length), "use either 'name' or 'names', not both"),
  v.check((s) => !!(s.name || s.names?.length), "names no syscall (expected 'names' or 'name')"),
);

const ProfileSchema = v.pipe(
  object({
    defaultAction: pick(SECCOMP_ACTIONS),
    defaultErrnoRet: v.optional(uint32()),
    architectures: list(pick(SECCOMP_ARCHES)),
    archMap: list(object({ architecture: pick(SECCOMP_ARCHES), subArchitectures: list(pick(SECCOMP_ARCHES)) })),
    flags: list(pick(SECCOMP_FLAGS)),
    listenerPath: v.optional(str()),
    listenerMetadata: v.optional(str()),
    syscalls: list(SyscallSchema),
  }),
  v.check((p) => !(p.architectures?.length && p.archMap?.length), "use either 'architectures' or 'archMap', not both"),
);

/** Parses a profile file's JSON (already decoded); throws SeccompError naming `file` and the path. */
export function parseSeccompProfile(json: unknown, file: string): DockerProfile {
  const r = v.safeParse(ProfileSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = v.getDotPath(issue);
    throw new SeccompError(`seccomp profile ${file}: ${path ? `${path}: ` : ""}${issue.message}`);
  }
  const p = r.output;
  // Rebuilt field by field: unknown keys stay out, null lists become absent.
  const out: DockerProfile = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.architectures) out.architectures = p.architectures;
  if (p.archMap) out.archMap = p.archMap.map((m) => ({ architecture: m.architecture, subArchitectures: m.subArchitectures ?? [] }));
  if (p.flags) out.flags = p.flags;
  if (p.listenerPath !== undefined) out.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) out.listenerMetadata = p.listenerMetadata;
  out.syscalls = (p.syscalls ?? []).map((s) => ({
    ...(s.names?.length ? { names: s.names } : { name: s.name }),
    action: s.action,
    ...(s.errnoRet !== undefined && { errnoRet: s.errnoRet }),
    ...(s.args?.length && { args: s.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo, op: a.op })) }),
    ...(s.includes && { includes: filter(s.includes) }),
    ...(s.excludes && { excludes: filter(s.excludes) }),
  }));
  return out;
}

function filter(f: { caps?: string[] | null; arches?: string[] | null; minKernel?: string }) {
  return {
    ...(f.caps?.length && { caps: f.caps }),
    ...(f.arches?.length && { arches: f.arches }),
    ...(f.minKernel && { minKernel: f.minKernel }),
  };
}
