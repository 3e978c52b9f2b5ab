// One object for a container's cgroup over its whole life, whichever manager made it: join,
// freeze/thaw, stats, OOM, pids, update and remove. It is rebuilt in any bunbox process from what
// the record keeps (the directories, and the systemd unit when there is one), so `stats`, `rm` or
// `gc` need no knowledge of the layout or of how the cgroup was made.
import { writeFileSync, readFileSync, existsSync, closeSync, readAsync } from "../sys/files.ts";
import type { LinuxResources } from "../spec/schema.ts";
import type { CgroupHost } from "./layout.ts";
import { removeCgroupDirs, CgroupError, writeLimits, type ContainerCgroup, type PlannedWrite } from "./driver.ts";
import { v1Writes, v2Writes } from "./limits.ts";
import { freeze, freezeConfirmed, freezerDir, hasFreezer, isFrozen, thaw } from "./freezer.ts";
import { readOom, readStats, type CgroupStats, type OomInfo } from "./stats.ts";
import type { SystemdScopes } from "./systemd-scope.ts";

export class OwnedCgroup implements ContainerCgroup {
  readonly dirs: string[];
  readonly unit?: string;

  /** `scopes`: how a systemd unit is stopped (made only when a unit is to be stopped). */
  constructor(ref: ContainerCgroup, private readonly scopes?: () => SystemdScopes) {
    this.dirs = ref.dirs;
    if (ref.unit) this.unit = ref.unit;
  }

  join(pid: number): void {
    for (const dir of this.dirs) writeFileSync(`${dir}/cgroup.procs`, String(pid));
  }

  /** Joins every hierarchy that takes it, quietly skipping one that does not (exec's helpers). */
  tryJoin(pid: number): void {
    for (const dir of this.dirs) try { writeFileSync(`${dir}/cgroup.procs`, String(pid)); } catch { /* a hierarchy without it */ }
  }

  /**
   * Joins every hierarchy but the freezer's: the devices, memory and pids rules apply at once to
   * a process that must not freeze yet (exec's stage while the container is frozen). On v1 and
   * hybrid hosts that is every rule; on v2 one directory holds both, so nothing is joined here.
   */
  tryJoinAllButFreezer(pid: number): void {
    const skip = freezerDir(this.dirs);
    for (const dir of this.dirs) {
      if (dir === skip) continue;
      try { writeFileSync(`${dir}/cgroup.procs`, String(pid)); } catch { /* a hierarchy without it */ }
    }
  }

  hasFreezer(): boolean { return hasFreezer(this.dirs); }
  isFrozen(): boolean { return isFrozen(this.dirs); }
  freeze(): Promise<boolean> { return freeze(this.dirs); }
  freezeConfirmed(timeoutMs?: number): Promise<boolean> { return freezeConfirmed(this.dirs, timeoutMs); }
  thaw(): void { thaw(this.dirs); }

  stats(): CgroupStats { return readStats(this.dirs); }

  /** What memory.events said of an OOM kill while it was watched (watchOom), or now. */
  oom(): OomInfo {
    const now = readOom(this.dirs);
    return now.killed || !this.seenOom ? now : this.seenOom;
  }
  private seenOom?: OomInfo;

  /**
   * systemd removes a scope's cgroup as soon as its last process is gone, before bunbox can read
   * why it ended: an OOM kill then went unreported (seen in the systemd VM). memory.events is read
   * whenever the kernel changes it instead, until the cgroup goes (inotify's IN_IGNORED).
   * `watchModify`: the inotify fd for a file (sys.watchModify).
   */
  watchOom(watchModify: (path: string) => number): void {
    const file = this.dirs.map((d) => `${d}/memory.events`).find((f) => existsSync(f));
    if (!file) return;
    const fd = watchModify(file);
    void (async () => {
      const buf = new Uint8Array(4096), view = new DataView(buf.buffer);
      try {
        for (;;) {
          const n = await readAsync(fd, buf);
          const now = readOom(this.dirs);
          if (now.killed) this.seenOom = now;
          // struct inotify_event: wd, mask, cookie, len, name[len]
          let ignored = false;
          for (let off = 0; off + 16 <= n; off += 16 + view.getUint32(off + 12, true)) ignored ||= (view.getUint32(off + 4, true) & 0x8000) !== 0;
          if (ignored || n <= 0) return;
        }
      } catch {
        // the watch is best effort: oom() still reads the files
      } finally {
        closeSync(fd);
      }
    })();
  }

  /** Host pids in the cgroup (the first hierarchy that lists them). */
  pids(): number[] {
    for (const d of this.dirs) {
      try {
        return readFileSync(`${d}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
      } catch { /* next */ }
    }
    return [];
  }

  /**
   * New limits for a running container (`runc update`): each directory gets the files of its own
   * version (a v2 directory has cgroup.controllers; a v1 one belongs to the hierarchy it is under).
   * v2 device rules: the filter attached at create stays (containerd resends the same rules on
   * update; an added program could only narrow them).
   */
  update(host: CgroupHost, resources: LinuxResources): void {
    const writes: PlannedWrite[] = [];
    for (const dir of this.dirs) {
      const h = host.hierarchies.find((x) => dir.startsWith(`${x.mountpoint}/`));
      // A hybrid host's unified hierarchy carries no limits (its controllers are all in v1)
      if (h?.version === 2 && host.mode === "v2") writes.push(...v2Writes(resources).map((w) => ({ ...w, dir })));
      if (h?.version === 1) writes.push(...v1Writes(resources).filter((w) => h.controllers.includes(w.controller)).map((w) => ({ ...w, dir })));
    }
    try {
      writeLimits(writes);
    } catch (e) {
      throw new CgroupError(`update: ${(e as Error).message}`);
    }
  }

  /** Stops the systemd scope (if any) and removes the directories; a busy one is retried briefly. */
  remove(): void {
    if (this.unit && this.scopes) this.scopes().stopUnit(this.unit);
    removeCgroupDirs(this.dirs);
  }
}
