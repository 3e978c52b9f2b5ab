// bunbox's own settings for a container, which travel in its config.json as annotations (the OCI
// spec's place for a runtime's extensions) so that the bundle alone says how to run it: written
// by specFromFlags, read here and only here by the plan, the bundle's preparation, the init's
// spawn, inspect and rmi.
import { UsageError } from "./errors.ts";

/** Mount an overlay at root.path inside the container's mount namespace (JSON: lower, upper, work, volatile). */
export const OVERLAY_ANNOTATION = "org.bunbox.overlay";
/** "true": bunbox's init stage stays as PID 1 (docker run --init). */
export const INIT_ANNOTATION = "org.bunbox.init";
/** "null": the init stage points the program's stdin at /dev/null (docker run without -i). */
export const STDIN_ANNOTATION = "org.bunbox.stdin";
/** The working directory as configured (-w or the image's), "" if neither: inspect's Config.WorkingDir (cwd is then "/"). */
export const WORKDIR_ANNOTATION = "org.bunbox.workdir";
/** --name, as given. */
export const NAME_ANNOTATION = "org.bunbox.name";
/** The entrypoint the program's argv starts with (JSON array; --entrypoint or the image's), when there is one: inspect's Config.Entrypoint. */
export const ENTRYPOINT_ANNOTATION = "org.bunbox.entrypoint";
/** -u, as given: inspect's Config.User ("" without it, as Docker). */
export const USER_ANNOTATION = "org.bunbox.user";
/** --cap-add and --cap-drop as given, normalised as Docker stores them (JSON arrays): inspect's HostConfig.CapAdd and CapDrop. */
export const CAP_ADD_ANNOTATION = "org.bunbox.capadd";
export const CAP_DROP_ANNOTATION = "org.bunbox.capdrop";

export interface OverlayLayers {
  /** The read-only image directory. */
  lower: string;
  upper: string;
  work: string;
  /** Never synced (an --rm container's upper layer goes with it; kernel 5.10+). */
  volatile?: boolean;
  /** The lower layers are copies whose ids are already a user namespace's host ids. */
  mapped?: boolean;
}

export interface BunboxSettings {
  overlay?: OverlayLayers;
  /** --init: the init stage stays PID 1. */
  init: boolean;
  /** No -i: the program's stdin is /dev/null. */
  stdinNull: boolean;
  /** -w or the image's WorkingDir, "" for neither; undefined in bundles that predate it (and runc's). */
  workdir?: string;
  name?: string;
  /** The first words of process.args that are the entrypoint. */
  entrypoint?: string[];
  /** -u as given. */
  user?: string;
  capAdd?: string[];
  capDrop?: string[];
}

/** The annotations that carry `s`. */
export function settingsAnnotations(s: BunboxSettings): Record<string, string> {
  return {
    ...(s.overlay ? { [OVERLAY_ANNOTATION]: JSON.stringify(s.overlay) } : {}),
    ...(s.name ? { [NAME_ANNOTATION]: s.name } : {}),
    ...(s.stdinNull ? { [STDIN_ANNOTATION]: "null" } : {}),
    ...(s.init ? { [INIT_ANNOTATION]: "true" } : {}),
    ...(s.workdir !== undefined ? { [WORKDIR_ANNOTATION]: s.workdir } : {}),
    ...(s.entrypoint?.length ? { [ENTRYPOINT_ANNOTATION]: JSON.stringify(s.entrypoint) } : {}),
    ...(s.user !== undefined ? { [USER_ANNOTATION]: s.user } : {}),
    ...(s.capAdd?.length ? { [CAP_ADD_ANNOTATION]: JSON.stringify(s.capAdd) } : {}),
    ...(s.capDrop?.length ? { [CAP_DROP_ANNOTATION]: JSON.stringify(s.capDrop) } : {}),
  };
}

/** bunbox's settings from a spec's annotations (a runc bundle has none of them: all off). */
export function bunboxSettings(annotations: Record<string, string> | undefined): BunboxSettings {
  const a = annotations ?? {};
  return {
    overlay: a[OVERLAY_ANNOTATION] !== undefined ? parseOverlay(a[OVERLAY_ANNOTATION]) : undefined,
    init: a[INIT_ANNOTATION] === "true",
    stdinNull: a[STDIN_ANNOTATION] === "null",
    workdir: a[WORKDIR_ANNOTATION],
    name: a[NAME_ANNOTATION],
    entrypoint: a[ENTRYPOINT_ANNOTATION] !== undefined ? parseStringList(a[ENTRYPOINT_ANNOTATION]) : undefined,
    user: a[USER_ANNOTATION],
    capAdd: a[CAP_ADD_ANNOTATION] !== undefined ? parseStringList(a[CAP_ADD_ANNOTATION]) : undefined,
    capDrop: a[CAP_DROP_ANNOTATION] !== undefined ? parseStringList(a[CAP_DROP_ANNOTATION]) : undefined,
  };
}

/** A JSON array of strings, else undefined (only shown by inspect: a foreign value is ignored, not an error). */
function parseStringList(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
  } catch {
    return undefined;
  }
}

function parseOverlay(text: string): OverlayLayers {
  let o: Partial<Record<keyof OverlayLayers, unknown>> | null;
  try {
    o = JSON.parse(text);
  } catch {
    o = null;
  }
  // Not necessarily absolute: explain's spec names an image not extracted yet in words
  const isPath = (v: unknown): v is string => typeof v === "string" && v !== "";
  if (!o || typeof o !== "object" || !isPath(o.lower) || !isPath(o.upper) || !isPath(o.work) || (o.volatile !== undefined && typeof o.volatile !== "boolean") || (o.mapped !== undefined && typeof o.mapped !== "boolean")) {
    throw new UsageError(`annotation ${OVERLAY_ANNOTATION}: not bunbox's overlay (JSON with lower, upper and work paths): ${JSON.stringify(text).slice(0, 200)}`);
  }
  return { lower: o.lower, upper: o.upper, work: o.work, ...(o.volatile !== undefined ? { volatile: o.volatile } : {}), ...(o.mapped ? { mapped: true } : {}) };
}
