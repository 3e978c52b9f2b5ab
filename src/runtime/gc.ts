// `bunbox gc`: removes what killed or crashed runs left behind. Records of containers that ended
// unwatched get their end recorded; ended --rm containers, bundles without records, records
// without bundles, stale names, empty cgroups below bunbox/ and the temp dirs of killed imports
// are removed. It never stops a running container (one whose monitor was killed runs on), and
// only ever touches what bunbox made.
import { readdirSync, rmSync, existsSync, rmdirSync, statSync } from "../sys/files.ts";
import { isContainerId, type ContainerStore, type ContainerRecord } from "../state/containers.ts";
import { isAlive, processStartTime } from "../state/proc.ts";
import type { CgroupHost } from "../cgroups/layout.ts";
import { cgroupDriver } from "../cgroups/driver.ts";
import { rmdirNested } from "../cgroups/nesting.ts";
import { coreStatusOf, removeContainer, statusOf } from "./lifecycle.ts";
import { hasLiveInit } from "./core/status.ts";
import { releaseCgroup } from "./core/acts.ts";

export interface GcReport { removed: string[]; files: string[]; cgroups: string[] }

export async function collectGarbage(store: ContainerStore, containersDir: string, cgroups: CgroupHost): Promise<GcReport> {
  const report: GcReport = { removed: [], files: [], cgroups: [] };
  const records = store.list();
  for (const rec of records) {
    const watched = isAlive(rec.watcherPid, rec.watcherStart);
    // A running container is never killed, watched or not (a -d container whose monitor was
    // killed runs on, "unmonitored"), as docker container prune never stops one; an attached
    // run's container dies with its bunbox by itself (PR_SET_PDEATHSIG)
    // (nor one made by `bunbox create` whose init waits for `bunbox start`)
    const now = store.load(rec.id);
    if (!now || hasLiveInit(coreStatusOf(now))) continue;
    if (now.exitCode === undefined && now.status !== "created") store.save({ ...now, status: "exited", exitCode: -1, finishedAt: new Date().toISOString() });
    releaseCgroup(now);
    if (now.autoRemove && !(now.manualStart && now.startedAt === undefined) || (now.status === "created" && !now.manualStart && !watched && now.pid === undefined && isStale(now))) {
      await removeContainer(store, now, false);
      report.removed.push(rec.id);
    }
  }
  const known = new Set(store.list().map((r) => r.id));
  for (const id of list(containersDir)) {
    if (isContainerId(id) && !known.has(id)) {
      rmSync(`${containersDir}/${id}`, { recursive: true, force: true });
      report.files.push(`${containersDir}/${id}`);
    }
  }
  // Directories a killed create left without a record, and names whose container is gone
  for (const id of store.ids()) {
    if (!known.has(id)) {
      store.removeDir(id);
      report.files.push(store.dir(id));
    }
  }
  report.files.push(...store.dropNamesExcept(known));
  // Cgroups below bunbox/ in each hierarchy that no live container owns, and that hold no process
  const live = new Set(store.list().filter((r) => hasLiveInit(coreStatusOf(r))).map((r) => r.id));
  for (const base of cgroupDriver(cgroups).bunboxParents()) {
    for (const id of list(base)) {
      // v2: the leaf a bunbox moved itself into (`.runtime-<pid>`), once that bunbox is gone
      const runtime = /^\.runtime-(\d+)$/.exec(id);
      if (runtime) {
        if (!processStartTime(Number(runtime[1]))) {
          try { rmdirSync(`${base}/${id}`); report.cgroups.push(`${base}/${id}`); } catch { /* in use */ }
        }
        continue;
      }
      // Not one a run is setting up right now (a fresh, still empty cgroup), nor a live one
      if (!isContainerId(id) || live.has(id) || (!records.some((r) => r.id === id) && isFresh(`${base}/${id}`))) continue;
      try {
        rmdirNested(`${base}/${id}`);
        report.cgroups.push(`${base}/${id}`);
      } catch { /* still has processes: left alone */ }
    }
  }
  return report;
}

/**
 * The --rm removals that the bunbox watching a container (killed) could not finish: containers
 * that have ended with nobody watching them. `ps` calls it, so that what Docker's daemon would
 * have removed is not listed.
 */
export async function finishOrphanedRemovals(store: ContainerStore, records: ContainerRecord[]): Promise<string[]> {
  const removed: string[] = [];
  for (const rec of records) {
    if (!rec.autoRemove || rec.restarting || (rec.manualStart && rec.startedAt === undefined)) continue;
    if (rec.watcherPid === undefined || isAlive(rec.watcherPid, rec.watcherStart) || statusOf(rec) !== "exited") continue;
    try {
      await removeContainer(store, rec, false);
      removed.push(rec.id);
    } catch { /* another bunbox removes it right now */ }
  }
  return removed;
}

/** A "created" record nobody is starting: older than a minute. */
function isStale(rec: ContainerRecord): boolean {
  return Date.now() - Date.parse(rec.created) > 60_000;
}

function isFresh(dir: string): boolean {
  try { return Date.now() - statSync(dir).mtimeMs < 60_000; } catch { return true; }
}

function list(dir: string): string[] {
  try { return existsSync(dir) ? readdirSync(dir) : []; } catch { return []; }
}
