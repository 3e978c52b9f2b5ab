// `runc create` and `runc run` (the shim's calls, Docker's and containerd's): the container's init
// spawned before the runtime's code is loaded and its bundle checked, as an attached `bunbox run`
// starts its own (main.ts). Its start-up (a new Bun process, ~10 ms) then overlaps that work
// instead of following it. Only the plain case, read from config.json without checking it: a new
// pid namespace, no user namespace. ociCreate uses it once the checked spec asks for that very init
// (sameSpawn), else closes it, and it ends by itself; nothing else is made before the checks.
import type { Sys } from "../../sys/sys.ts";
import { readFileSync } from "../../sys/files.ts";
import { spawnInit, OCI_STDIO, type InitSpawn, type SpawnedInit } from "../../runtime/spawn-init.ts";
import { bunboxSettings } from "../../config/annotations.ts";
import { mark } from "../../runtime/timeline.ts";
import { parseFlags, str } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";
import { CREATE_FLAGS } from "./create-flags.ts";

/** The init a create or run with these arguments (after `runc`) will want, if it is the plain kind. */
export function earlyRuncSpawn(args: string[]): InitSpawn | undefined {
  try {
    const [word, ...rest] = parseFlags(args, GLOBAL_FLAGS).positional;
    if (word !== "create" && word !== "run") return undefined;
    const { flags } = parseFlags(rest, CREATE_FLAGS);
    const preserve = str(flags["preserve-fds"]);
    if (preserve !== undefined && !/^\d+$/.test(preserve)) return undefined;
    const spec = JSON.parse(readFileSync(`${str(flags.bundle) ?? process.cwd()}/config.json`, "utf8"));
    const namespaces: { type?: unknown; path?: unknown }[] = Array.isArray(spec?.linux?.namespaces) ? spec.linux.namespaces : [];
    const pid = namespaces.find((n) => n?.type === "pid");
    if (!pid || pid.path !== undefined || namespaces.some((n) => n?.type === "user")) return undefined;
    return { newPidNs: true, stdio: OCI_STDIO, preserveFds: preserve ? Number(preserve) : 0, staysAsInit: bunboxSettings(spec.annotations).init };
  } catch {
    // Anything unusual: the create reports it, and spawns its init itself
    return undefined;
  }
}

export function spawnEarlyRuncInit(sys: Sys, args: string[]): SpawnedInit | undefined {
  const wanted = earlyRuncSpawn(args);
  if (!wanted) return undefined;
  try {
    const init = spawnInit(sys, wanted);
    mark("init stage spawned");
    return init;
  } catch {
    return undefined;
  }
}
