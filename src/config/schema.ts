// The OCI runtime spec's config.json, versions 1.0 to 1.2, as valibot schemas; the TypeScript
// types come from them. parseSpec/parseProcess/parseResources validate JSON the caller has read
// and name the JSON path of the first problem:
//   config.json: linux.namespaces.2.type: invalid value "foo" (expected one of mount, network, ...)
// Pure: no I/O, no side effects on import. Unknown keys are kept (OCI allows extensions), and
// other platforms' sections (windows, solaris, vm, zos) are accepted and left untouched.
import * as v from "valibot";
import { LinuxSchema } from "./linux.ts";
import { IDMappingSchema, ProcessSchema, type Process } from "./process.ts";
import { LinuxResourcesSchema, type LinuxResources } from "./resources.ts";
import { dotPath, linuxIssues, processIssues, type RawIssue } from "./semantics.ts";
import { absPath, arrayOf, bool, intIn, obj, show, str, strArray, strMap } from "./valid.ts";
import { BunboxError } from "../errors.ts";

export * from "./linux.ts";
export * from "./process.ts";
export * from "./resources.ts";
export * from "./seccomp.ts";

/** Versions this runtime reads: 1.0.x, 1.1.x, 1.2.x, with any pre-release or build suffix. */
export const SUPPORTED_OCI_VERSIONS = "1.0.x to 1.2.x";
const OCI_VERSION = /^1\.[0-2]\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function isSupportedOciVersion(version: string): boolean {
  return OCI_VERSION.test(version);
}

export const RootSchema = obj({
  path: v.pipe(str(), v.minLength(1, "must not be empty")),
  readonly: v.optional(bool()),
});

export const MountSchema = obj({
  destination: absPath("mount destination"),
  source: v.optional(str()), // optional since 1.1 (e.g. tmpfs)
  type: v.optional(str()), // optional since 1.1 (bind mounts may say so in options only)
  options: v.optional(strArray()),
  uidMappings: v.optional(arrayOf(IDMappingSchema, "id mappings")),
  gidMappings: v.optional(arrayOf(IDMappingSchema, "id mappings")),
});

export const HookSchema = obj({
  path: absPath("hook path"),
  args: v.optional(strArray()),
  env: v.optional(strArray()),
  timeout: v.optional(intIn(1, 2147483647)), // seconds, > 0
});

const hookList = () => v.optional(arrayOf(HookSchema, "hooks"));

export const HooksSchema = obj({
  prestart: hookList(), // deprecated in 1.2 but Docker still writes it
  createRuntime: hookList(),
  createContainer: hookList(),
  startContainer: hookList(),
  poststart: hookList(),
  poststop: hookList(),
});

export const SpecSchema = obj({
  // First, so that a wrong version is the first problem reported.
  ociVersion: v.pipe(
    str(),
    v.check(
      isSupportedOciVersion,
      (i) => `unsupported version ${show(i.input)} (bunbox reads ${SUPPORTED_OCI_VERSIONS})`,
    ),
  ),
  root: v.optional(RootSchema),
  process: v.optional(ProcessSchema),
  hostname: v.optional(str()),
  domainname: v.optional(str()),
  mounts: v.optional(arrayOf(MountSchema, "mounts")),
  hooks: v.optional(HooksSchema),
  annotations: v.optional(strMap()),
  linux: v.optional(LinuxSchema),
});

export type Root = v.InferOutput<typeof RootSchema>;
export type Mount = v.InferOutput<typeof MountSchema>;
export type Hook = v.InferOutput<typeof HookSchema>;
export type Hooks = v.InferOutput<typeof HooksSchema>;
export type Spec = v.InferOutput<typeof SpecSchema>;

// ---- errors ---------------------------------------------------------------------------------

export interface SpecIssue {
  /** Dotted JSON path, "" for the document itself: "linux.namespaces.2.type". */
  path: string;
  message: string;
}

/** A config.json (or process / resources document) that bunbox will not run. */
export class SpecError extends BunboxError {
  constructor(
    /** What was read, for the message: "config.json", "process.json", "resources". */
    readonly source: string,
    /** Every problem found, in document order; the message names the first. */
    readonly issues: readonly SpecIssue[],
  ) {
    const first = issues[0]!;
    super(`${source}: ${first.path ? `${first.path}: ` : ""}${first.message}`);
  }
  /** The JSON path of the first problem. */
  get path(): string {
    return this.issues[0]!.path;
  }
}

export type SpecResult<T> = { success: true; output: T } | { success: false; error: SpecError };

function fromValibot(issue: v.BaseIssue<unknown>): SpecIssue {
  const items = issue.path ?? [];
  const path = dotPath(items.map((p) => (typeof p.key === "number" ? p.key : String(p.key))));
  const last = items[items.length - 1];
  // A required key that is absent: valibot reports the object's type at that key's path.
  const missing = issue.kind === "schema" && issue.input === undefined && last?.origin === "key";
  return { path, message: missing ? "missing required field" : issue.message };
}

function validate<S extends v.GenericSchema>(
  schema: S,
  json: unknown,
  source: string,
  semantics: (output: v.InferOutput<S>) => RawIssue[],
): SpecResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, json);
  if (!result.success) return { success: false, error: new SpecError(source, result.issues.map(fromValibot)) };
  const issues = semantics(result.output);
  if (issues.length === 0) return { success: true, output: result.output };
  const named = issues.map((i) => ({ path: dotPath(i.path), message: i.message }));
  return { success: false, error: new SpecError(source, named) };
}

function unwrap<T>(result: SpecResult<T>): T {
  if (!result.success) throw result.error;
  return result.output;
}

export interface ParseSpecOptions {
  /** Name used in messages; default "config.json". */
  source?: string;
  /**
   * Validate for `create`/`run` (default true): `process` and `root` must be present. Commands that
   * only read a stored bundle (state, delete) may pass false.
   */
  create?: boolean;
}

/** Validates a parsed config.json; never throws. */
export function safeParseSpec(json: unknown, options: ParseSpecOptions = {}): SpecResult<Spec> {
  const { source = "config.json", create = true } = options;
  return validate(SpecSchema, json, source, (spec) => {
    const out: RawIssue[] = [];
    if (create) {
      if (!spec.root) out.push({ path: ["root"], message: "missing required field" });
      if (!spec.process) out.push({ path: ["process"], message: "missing required field" });
    }
    if (spec.process) out.push(...processIssues(spec.process, ["process"]));
    out.push(...linuxIssues(spec.linux ?? {}, spec.hostname, spec.domainname));
    return out;
  });
}

/** Validates a parsed config.json; throws SpecError naming the first problem. */
export function parseSpec(json: unknown, options: ParseSpecOptions = {}): Spec {
  return unwrap(safeParseSpec(json, options));
}

/** Validates the `process` object of `runc exec --process FILE`. */
export function safeParseProcess(json: unknown, source = "process.json"): SpecResult<Process> {
  return validate(ProcessSchema, json, source, (p) => processIssues(p, []));
}

export function parseProcess(json: unknown, source = "process.json"): Process {
  return unwrap(safeParseProcess(json, source));
}

/** Validates the LinuxResources JSON of `runc update --resources FILE|-`. */
export function safeParseResources(json: unknown, source = "resources"): SpecResult<LinuxResources> {
  return validate(LinuxResourcesSchema, json, source, () => []);
}

export function parseResources(json: unknown, source = "resources"): LinuxResources {
  return unwrap(safeParseResources(json, source));
}
