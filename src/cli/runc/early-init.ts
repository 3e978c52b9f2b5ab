// `runc create` and `runc run` (the shim's calls, Docker's and containerd's): the container's init
// spawned before the runtime's code is loaded and its bundle checked, as an attached `bunbox run`
// starts its own (main.ts). Its start-up (a new Bun process, ~10 ms) then overlaps that work
// instead of following it. Only the plain case, read from config.json without checking it: a new
// pid namespace, no user namespace. On v1 and hybrid hosts its cgroup follows, as an attached
// run's does (early-cgroup.ts here). ociCreate uses them once the checked spec asks for that very
// init and cgroup (sameSpawn, earlyCgroupFits), else undoes them; a create that fails first undoes
// them in main.ts.
import type { Sys } from "../../sys/sys.ts";
import type { CgroupHost } from "../../cgroups/layout.ts";
import { readFileSync } from "../../sys/files.ts";
import { spawnInit, OCI_STDIO, type InitSpawn, type SpawnedInit } from "../../runtime/spawn-init.ts";
import { bunboxSettings } from "../../config/annotations.ts";
import { mark } from "../../runtime/timeline.ts";
import { parseFlags, str, bool } from "./flags.ts";
import { GLOBAL_FLAGS } from "./global-flags.ts";
import { CREATE_FLAGS } from "./create-flags.ts";

/** What a create or run will want, read before anything is checked: its init, and what its cgroup is made from. */
export interface EarlyRunc {
  spawn: InitSpawn;
  /** The container's id, as given (checked before its cgroup is made). */
  id: string | undefined;
  systemdCgroup: boolean;
  /** config.json as parsed, unchecked. */
  spec: { linux?: { cgroupsPath?: unknown; resources?: { devices?: unknown } } };
}

/** The init a create or run with these arguments (after `runc`) will want, if it is the plain kind. */
export function earlyRuncSpawn(args: string[]): InitSpawn | undefined {
  return earlyRunc(args)?.spawn;
}

function earlyRunc(args: string[]): EarlyRunc | undefined {
  try {
    const global = parseFlags(args, GLOBAL_FLAGS);
    const [word, ...rest] = global.positional;
    if (word !== "create" && word !== "run") return undefined;
    const { flags, positional } = parseFlags(rest, CREATE_FLAGS);
    const preserve = str(flags["preserve-fds"]);
    if (preserve !== undefined && !/^\d+$/.test(preserve)) return undefined;
    const spec = JSON.parse(readFileSync(`${str(flags.bundle) ?? process.cwd()}/config.json`, "utf8"));
    const namespaces: { type?: unknown; path?: unknown }[] = Array.isArray(spec?.linux?.namespaces) ? spec.linux.namespaces : [];
    const pid = namespaces.find((n) => n?.type === "pid");
    if (!pid || pid.path !== undefined || namespaces.some((n) => n?.type === "user")) return undefined;
    const spawn = { newPidNs: true, stdio: OCI_STDIO, preserveFds: preserve ? Number(preserve) : 0, staysAsInit: bunboxSettings(spec.annotations).init };
    return { spawn, id: positional.length === 1 ? positional[0] : undefined, systemdCgroup: bool(global.flags["systemd-cgroup"]), spec };
  } catch {
    // Anything unusual: the create reports it, and spawns its init itself
    return undefined;
  }
}

/**
 * The init a create or run will want, spawned, and on v1 and hybrid hosts its cgroup made and its
 * move into it started; the host's cgroup layout when it was read (wiring.ts reads it once).
 */
export async function startEarlyRunc(sys: Sys, args: string[]): Promise<{ init?: SpawnedInit; cgroupHost?: CgroupHost }> {
  const wanted = earlyRunc(args);
  if (!wanted) return {};
  let init: SpawnedInit;
  try {
    init = spawnInit(sys, wanted.spawn);
    mark("init stage spawned");
  } catch {
    return {};
  }
  try {
    return { init, cgroupHost: await (await import("./early-cgroup.ts")).startEarlyRuncCgroup(sys, init, wanted) };
  } catch {
    // The move could not be started (the init was ended and the cgroup removed), or no cgroup was
    // made: the init ends by itself at EOF, and the create starts afresh
    init.channel.close();
    return {};
  }
}
