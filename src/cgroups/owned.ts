// One object for a container's cgroup over its whole life, whichever manager made it: join,
// freeze/thaw, stats, OOM, pids, update and remove. It is rebuilt in any bunbox process from what
// the record keeps (the directories, and the systemd unit when there is one), so `stats`, `rm` or
// `gc` need no knowledge of the layout or of how the cgroup was made. The processes are in a child
// of the devices (v1) or only (v2) directory (nesting.ts): joins, pids and the freezer go there;
// stats and OOM counts are read at the directories, which count the whole subtree.
import { writeFileSync, readFileSync, existsSync, closeSync, readAsync, mkdirSync } from "../sys/files.ts";
import type { LinuxResources } from "../config/schema.ts";
import type { CgroupHost } from "./layout.ts";
import { removeCgroupDirs, CgroupError, writeLimits, type ContainerCgroup, type PlannedWrite } from "./driver.ts";
import { v1Writes, v2Writes } from "./limits.ts";
import { freeze, freezeConfirmed, freezerDir, hasFreezer, isFrozen, thaw } from "./freezer.ts";
import { readOom, readStats, type CgroupStats, type OomInfo } from "./stats.ts";
import type { SystemdScopes } from "./systemd-scope.ts";
import { EXEC_STAGING, LEAF, mirrored, processDir } from "./nesting.ts";

export class OwnedCgroup implements ContainerCgroup {
  readonly dirs: string[];
  readonly unit?: string;

  /** As the driver made them (ContainerCgroup.procDirs); else looked for on disk. */
  private readonly knownProcessDirs?: string[];

  /** `scopes`: how a systemd unit is stopped (made only when a unit is to be stopped). */
  constructor(ref: ContainerCgroup, private readonly scopes?: () => SystemdScopes) {
    this.dirs = ref.dirs;
    if (ref.unit) this.unit = ref.unit;
    if (ref.procDirs) this.knownProcessDirs = ref.procDirs;
  }

  /** Where the container's processes are, one directory per hierarchy (the child where there is one). */
  processDirs(): string[] {
    return this.knownProcessDirs ?? this.dirs.map(processDir);
  }

  join(pid: number): void {
    for (const dir of this.processDirs()) writeFileSync(`${dir}/cgroup.procs`, String(pid));
  }

  /** Joins every hierarchy that takes it, quietly skipping one that does not (exec's helpers). */
  tryJoin(pid: number): void {
    for (const dir of this.processDirs()) try { writeFileSync(`${dir}/cgroup.procs`, String(pid)); } catch { /* a hierarchy without it */ }
  }

  /**
   * Joins every hierarchy but the freezer's: the devices, memory and pids rules apply at once to
   * a process that must not freeze yet (exec's stage while the container is frozen). On v1 and
   * hybrid hosts that is every rule. On v2 one directory holds both: the stage waits in a sibling
   * of the frozen child instead, under the same device program and limits.
   */
  tryJoinAllButFreezer(pid: number): void {
    const skip = freezerDir(this.processDirs());
    for (const dir of this.processDirs()) {
      let target = dir;
      if (dir === skip) {
        if (!dir.endsWith(`/${LEAF}`)) continue;
        target = `${dir.slice(0, -LEAF.length)}${EXEC_STAGING}`;
        try { mkdirSync(target); } catch (e) { if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; }
      }
      try { writeFileSync(`${target}/cgroup.procs`, String(pid)); } catch { /* a hierarchy without it */ }
    }
  }

  hasFreezer(): boolean { return hasFreezer(this.processDirs()); }
  isFrozen(): boolean { return isFrozen(this.processDirs()); }
  freeze(): Promise<boolean> { return freeze(this.processDirs()); }
  freezeConfirmed(timeoutMs?: number): Promise<boolean> { return freezeConfirmed(this.processDirs(), timeoutMs); }
  thaw(): void { thaw(this.processDirs()); }

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
    // The limit as it is now: by the time the kill is seen, systemd may have removed the scope's
    // directory, memory.max with it (seen in the systemd VM: the report lost its "(limit …)")
    const limit = readOom(this.dirs).limit;
    void (async () => {
      const buf = new Uint8Array(4096), view = new DataView(buf.buffer);
      try {
        for (;;) {
          const n = await readAsync(fd, buf);
          const now = readOom(this.dirs);
          if (now.killed) this.seenOom = { ...now, ...(now.limit === undefined && limit !== undefined ? { limit } : {}) };
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
    for (const d of this.processDirs()) {
      try {
        return readFileSync(`${d}/cgroup.procs`, "utf8").split("\n").filter(Boolean).map(Number);
      } catch { /* next */ }
    }
    return [];
  }

  /**
   * New limits for a running container (`runc update`): each directory gets the files of its own
   * version (a v2 directory has cgroup.controllers; a v1 one belongs to the hierarchy it is under).
   * Device rules stay as create set them, on v1 too (containerd resends the same rules on update;
   * on v2 an added program could only narrow them, and v1 refuses `a` in a cgroup with children).
   * On v2 the child gets the same values, as at create (nesting.ts).
   */
  update(host: CgroupHost, resources: LinuxResources): void {
    const writes: PlannedWrite[] = [];
    for (const dir of this.dirs) {
      const h = host.hierarchies.find((x) => dir.startsWith(`${x.mountpoint}/`));
      // A hybrid host's unified hierarchy carries no limits (its controllers are all in v1)
      if (h?.version === 2 && host.mode === "v2") {
        const own = v2Writes(resources).map((w) => ({ ...w, dir }));
        const leaf = processDir(dir);
        writes.push(...own, ...(leaf !== dir ? mirrored(own, leaf) : []));
      }
      if (h?.version === 1) writes.push(...v1Writes(resources).filter((w) => w.controller !== "devices" && h.controllers.includes(w.controller)).map((w) => ({ ...w, dir })));
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
