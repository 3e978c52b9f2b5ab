// A container's cgroup made as soon as its init is spawned, before the flags or the bundle are read
// (v1 and hybrid hosts): an attached run's when no flag shapes the cgroup (--privileged,
// --cgroup-parent, --cgroup-manager), `runc create`'s from its config.json read unchecked
// (cli/runc/early-init.ts). Its place and device rules are then known; every other limit is a file
// written into it later (create.ts startCgroup), before the init is sent its plan.
//
// Why so early: a process's first move into a cgroup waits out an RCU grace period in the
// kernel (percpu_down_write on the threadgroup lock: 5-20 ms here, longest when the CPUs are
// busy), holding the cgroup mutex that every mkdir needs. So every directory is made first;
// then one move is made from a glibc thread (sys.writeInBackground), which waits while this
// process parses, and the init, told at once, makes the others as soon as it runs (they wait
// for that one grace period, not for one each). v2 hosts make theirs from the flags as before:
// enabling controllers there takes the mutex too.
import type { Sys } from "../sys/sys.ts";
import { readFileSync } from "../sys/files.ts";
import { parseCgroupHost, type CgroupHost } from "../cgroups/layout.ts";
import { cgroupDriver } from "../cgroups/driver.ts";
import { OwnedCgroup } from "../cgroups/owned.ts";
import { defaultCgroupOf } from "../config/docker-defaults.ts";
import type { LinuxResources } from "../config/schema.ts";
import { v1Writes } from "../cgroups/limits.ts";
import { newId } from "../state/ids.ts";
import type { SpawnedInit } from "./spawn-init.ts";
import { abandonStart } from "./abandon.ts";
import { RuntimeError } from "./errors.ts";
import { mark } from "./timeline.ts";

/** What an init carries of its early cgroup (SpawnedInit.early). */
export interface EarlyCgroup {
  /** The container's id, chosen with it (its cgroupsPath names it). */
  id: string;
  cgroupsPath: string;
  devices: LinuxResources["devices"];
  cgroup: OwnedCgroup;
  /** The container's creation owns the cgroup now. */
  taken?: boolean;
}

/**
 * main.ts: the early cgroup of an attached run, with a new container id. Returns the host's
 * cgroup layout it read, for the rest of the run (wiring.ts): read once, on every layout.
 */
export async function startRunCgroup(sys: Sys, init: SpawnedInit): Promise<CgroupHost> {
  const host = readCgroupHost();
  const id = newId();
  await startEarlyCgroup(init, id, { sys, cgroupHost: host }, defaultCgroupOf(id));
  return host;
}

/** The host's cgroup layout and this process's place in it, read now (before wiring.ts's probe is loaded). */
export function readCgroupHost(): CgroupHost {
  return parseCgroupHost(readFileSync("/proc/self/mountinfo", "utf8"), readFileSync("/proc/self/cgroup", "utf8"));
}

/**
 * Makes the cgroup of container `id` at `linux`'s place with its device rules, starts the init's
 * move into it and records both on `init`. Nothing where the flags must decide (v2), or when the
 * directories cannot be made or are there already (another's: the creation then makes or joins
 * them itself, and reports why it cannot). If the move cannot be started, the init is ended, the
 * cgroup removed, and the error thrown.
 */
export async function startEarlyCgroup(init: SpawnedInit, id: string, deps: { sys: Sys; cgroupHost: CgroupHost; cgroupRoot?: string }, linux: { cgroupsPath: string; devices: LinuxResources["devices"] }): Promise<void> {
  if (deps.cgroupHost.mode === "v2") return;
  let cgroup: OwnedCgroup;
  try {
    cgroup = new OwnedCgroup(cgroupDriver(deps.cgroupHost, deps.cgroupRoot ?? "").create(linux.cgroupsPath, { devices: linux.devices }, [process.pid, init.proc.pid], true));
  } catch {
    return;
  }
  init.early = { id, ...linux, cgroup };
  mark("cgroup made; the init told to join it");
  try {
    moveInit(init, cgroup, deps.sys);
  } catch (e) {
    // The init ends, then the cgroup goes (marked taken: main.ts then starts another init)
    await abandonEarlyCgroup(init);
    throw e;
  }
}

/**
 * Starts `init`'s move into `cgroup` (made, with its device rules; an init just spawned or
 * running): the first directory from a glibc thread, where the kernel's grace period passes,
 * the others by the init itself, told now (they wait for that one grace period, not one each).
 * moveDone() before the init may read its plan.
 */
export function moveInit(init: SpawnedInit, cgroup: OwnedCgroup, sys: Sys): void {
  const [first, ...rest] = cgroup.processDirs().map((dir) => `${dir}/cgroup.procs`);
  init.moving = { first: first!, write: sys.writeInBackground(first!, String(init.proc.pid)) };
  if (rest.length) init.channel.send({ type: "join-cgroup", procs: rest });
}

/**
 * The early cgroup for the container's creation to own, if there is one: it is always the one
 * `linux` asks for (main.ts makes it only when no flag shapes it), which is checked. `ready`
 * (writing the limits) runs first: if it fails, the cgroup is not taken, and the run's end
 * (abandonEarlyCgroup) ends the init before it removes the cgroup, as it must with the init in it.
 */
export function takeEarlyCgroup(init: SpawnedInit, linux: { cgroupsPath: string; resources: LinuxResources }, ready: (cgroup: OwnedCgroup) => void = () => {}): OwnedCgroup | undefined {
  const early = init.early;
  if (!early || early.taken) return undefined;
  if (!earlyCgroupFits(early, linux)) {
    throw new RuntimeError(`internal: the cgroup made before the flags were read (${early.cgroupsPath}) is not the one they ask for (${linux.cgroupsPath})`);
  }
  ready(early.cgroup);
  early.taken = true;
  return early.cgroup;
}

/** Whether `early` is the cgroup `linux` asks for: its place, and device rules that write the same lines. */
export function earlyCgroupFits(early: EarlyCgroup, linux: { cgroupsPath: string; resources: LinuxResources }): boolean {
  return early.cgroupsPath === linux.cgroupsPath && deviceLines(early.devices) === deviceLines(linux.resources.devices);
}

/** Device rules as the cgroup gets them (devices.allow and devices.deny lines, in order). */
function deviceLines(devices: LinuxResources["devices"]): string {
  return v1Writes({ devices }).map((w) => `${w.file} ${w.value}`).join("\n");
}

/** Before the init may read its plan: its move made from a glibc thread (moveInit) is done (normally long since). */
export function moveDone(init: SpawnedInit): void {
  const moving = init.moving;
  if (!moving) return;
  try {
    moving.write.wait();
  } catch (e) {
    throw new RuntimeError(`cannot move the container's init into its cgroup: write ${moving.first}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A run that failed before its cgroup was taken over: the init ends, then the cgroup goes. */
export async function abandonEarlyCgroup(init: SpawnedInit): Promise<void> {
  const early = init.early;
  if (!early || early.taken) return;
  early.taken = true;
  try { init.moving?.write.wait(); } catch { /* not moved: nothing of it in there */ }
  await abandonStart(init, early.cgroup);
}
