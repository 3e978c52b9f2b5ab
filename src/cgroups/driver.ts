// One interface over the host's cgroups, with a driver per layout, chosen from /proc/self/mountinfo:
//   v2      one unified hierarchy: controllers enabled down the parent chain, limits in v2 files
//   v1      a hierarchy per controller: limits in each controller's own directory
//   hybrid  v1 controllers carry the limits; the container also joins the unified hierarchy
// Device rules: v1's devices.allow/deny files; on v2 an eBPF program attached to the cgroup.
// bunbox writes only into directories it created (below `bunbox/` under its own cgroup, or the
// spec's absolute cgroupsPath, the user's choice) and, on v2, the subtree_control of the chain
// leading to them. `root` prefixes every cgroupfs path, so the tests run against a temp dir.
import { mkdirSync, writeFileSync, readFileSync, rmdirSync, existsSync, openSync, closeSync, writeAllTo, isMountRoot } from "../sys/files.ts";
import type { CgroupHost, Hierarchy } from "./layout.ts";
import type { LinuxResources } from "../config/schema.ts";
import { v1Writes, v2Writes, v2Controllers, type CgroupWrite } from "./limits.ts";
import { deviceFilterInsns, encodeProgram } from "./device-filter.ts";
import { BunboxError } from "../errors.ts";
import { LEAF, childrenFirst, mirrored, nestsIn, processDir } from "./nesting.ts";

export interface ContainerCgroup {
  /** Host directory of the container's cgroup in each hierarchy it joined (absolute). */
  dirs: string[];
  /** The systemd scope that holds it (the systemd manager), stopped to remove it. */
  unit?: string;
  /**
   * Where its processes go in each hierarchy (nesting.ts: the child where there is one), when
   * known without looking: as the driver has just made them. Not recorded: rebuilt from `dirs`.
   */
  procDirs?: string[];
}

export interface PlannedWrite extends CgroupWrite {
  /** The container's directory the file is in. */
  dir: string;
  /** v2: not a file but the device filter program, attached with bpf(2) (shown by --explain). */
  program?: Uint8Array;
}

/** How a v2 device filter reaches the kernel (tests record it instead). */
export type DeviceFilterAttach = (dir: string, program: Uint8Array) => void;

export interface CgroupDriver {
  readonly mode: CgroupHost["mode"];
  /** The container's directories for `cgroupsPath` (pure). */
  dirsFor(cgroupsPath: string): string[];
  /** Every `bunbox` directory containers may hang from (gc looks in each). */
  bunboxParents(): string[];
  /** The files and values the limits need (pure). */
  plan(cgroupsPath: string, resources: LinuxResources): PlannedWrite[];
  /**
   * Makes the directories and writes the limits, before any container process joins.
   * `self`: pids of this runtime (itself first, then a waiting init), which on v2 may have to
   * leave their own cgroup for a leaf below it (see enableChain). `fresh`: the container's own
   * directories must not be there yet (v1: an early cgroup must not take over another's).
   */
  create(cgroupsPath: string, resources: LinuxResources, self?: number[], fresh?: boolean): ContainerCgroup;
  join(cg: ContainerCgroup, pid: number): void;
}

export class CgroupError extends BunboxError {}

/** Picks the driver for the host's layout. */
/** `attachDevices`: how create() attaches a v2 device filter (the runtime passes sys.setDeviceFilter). */
export function cgroupDriver(host: CgroupHost, root = "", attachDevices?: DeviceFilterAttach): CgroupDriver {
  return host.mode === "v2" ? new V2Driver(host, root, attachDevices) : new V1Driver(host, root);
}

abstract class Base implements CgroupDriver {
  constructor(readonly host: CgroupHost, readonly root: string) {}
  get mode() { return this.host.mode; }

  /** This process's own cgroup directory in `h` (relative paths hang below it). */
  protected ownDir(h: Hierarchy): string {
    const own = h.mountRoot !== "/" && h.current.startsWith(h.mountRoot) ? h.current.slice(h.mountRoot.length) : h.current;
    return clean(`${this.root}${h.mountpoint}/${own}`);
  }
  protected baseDir(h: Hierarchy, cgroupsPath: string): string {
    return cgroupsPath.startsWith("/") ? clean(`${this.root}${h.mountpoint}`) : this.ownDir(h);
  }
  protected dirIn(h: Hierarchy, cgroupsPath: string): string {
    if (cgroupsPath.split("/").includes("..")) throw new CgroupError(`cgroupsPath ${cgroupsPath}: ".." is not allowed`);
    const dir = clean(`${this.baseDir(h, cgroupsPath)}/${cgroupsPath}`);
    if (dir === this.ownDir(h) || dir === clean(`${this.root}${h.mountpoint}`)) throw new CgroupError(`cgroupsPath ${cgroupsPath} names an existing cgroup bunbox did not create`);
    return dir;
  }
  dirsFor(cgroupsPath: string): string[] {
    return this.host.hierarchies.map((h) => this.dirIn(h, cgroupsPath));
  }
  /** Every `bunbox` directory containers may hang from (gc looks in each). */
  bunboxParents(): string[] {
    const all = this.host.hierarchies.flatMap((h) => [clean(`${this.ownDir(h)}/bunbox`), clean(`${this.root}${h.mountpoint}/bunbox`)]);
    return [...new Set(this.host.mode === "v2" ? all : this.dirsFor("bunbox"))];
  }
  abstract plan(cgroupsPath: string, resources: LinuxResources): PlannedWrite[];
  abstract create(cgroupsPath: string, resources: LinuxResources, self?: number[]): ContainerCgroup;

  join(cg: ContainerCgroup, pid: number): void {
    for (const dir of cg.dirs) writeFileSync(`${processDir(dir)}/cgroup.procs`, String(pid));
  }

  protected writeAll(writes: PlannedWrite[]): void {
    writeLimits(writes);
  }
}

/** A v2 directory's files for the limits, and the device rules as a BPF program to attach. */
export function v2PlannedWrites(dir: string, resources: LinuxResources): PlannedWrite[] {
  const writes: PlannedWrite[] = v2Writes(resources).map((w) => ({ ...w, dir }));
  if (resources.devices?.length) {
    const insns = deviceFilterInsns(resources.devices);
    writes.push({
      controller: "", dir, file: "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)", value: `${insns.length} eBPF instructions`,
      why: `the ${resources.devices.length} device rules (cgroup v2 has no devices.allow)`, program: encodeProgram(insns),
    });
  }
  return writes;
}

/** Writes the planned files (device programs are attached apart; absent optional files skipped). */
export function writeLimits(writes: PlannedWrite[]): void {
  let open: { path: string; fd: number } | undefined;
  try {
    for (const w of writes) {
      if (w.program) continue;
      const path = `${w.dir}/${w.file}`;
      if (w.optional && !existsSync(path)) continue;
      try {
        // One open for a run of writes to one file (v1's devices.allow takes a rule a write):
        // a dozen opens less on the way to a container's start
        if (open?.path !== path) {
          if (open) closeSync(open.fd);
          open = undefined; // closed: not again in `finally` should the open below fail
          open = { path, fd: openSync(path, "w") };
        }
        writeAllTo(open.fd, w.value, path);
      } catch (e) {
        throw new CgroupError(`cannot set ${w.why}: write ${JSON.stringify(w.value)} to ${path}: ${errText(e)}`);
      }
    }
  } finally {
    if (open) closeSync(open.fd);
  }
}

class V1Driver extends Base {
  plan(cgroupsPath: string, resources: LinuxResources): PlannedWrite[] {
    const out: PlannedWrite[] = [];
    for (const w of v1Writes(resources)) {
      const h = this.host.hierarchies.find((x) => x.version === 1 && x.controllers.includes(w.controller));
      if (!h) {
        if (w.controller === "devices" || w.optional) continue;
        throw new CgroupError(`cannot set ${w.why}: this host has no v1 ${w.controller} cgroup hierarchy`);
      }
      out.push({ ...w, dir: this.dirIn(h, cgroupsPath) });
    }
    return out;
  }

  create(cgroupsPath: string, resources: LinuxResources, _self?: number[], fresh = false): ContainerCgroup {
    const writes = this.plan(cgroupsPath, resources);
    const dirs: string[] = [], made: string[] = [];
    try {
      // Hybrid: the unified hierarchy is joined too (limits stay in v1, where the controllers are)
      for (const h of this.host.hierarchies) {
        const dir = this.dirIn(h, cgroupsPath);
        mkdirChain(this.baseDir(h, cgroupsPath), dir, h.controllers.includes("cpuset"), made);
        if (fresh && !made.includes(dir)) throw new CgroupError(`cgroup ${dir} exists already`);
        dirs.push(dir);
      }
      this.writeAll(writes);
      // The devices hierarchy's child, made after the rules so that it inherits them (nesting.ts)
      const processDirs = this.host.hierarchies.map((h, i) => {
        if (!nestsIn(h, this.host.mode)) return dirs[i]!;
        mkdirChain(dirs[i]!, `${dirs[i]}/${LEAF}`, h.controllers.includes("cpuset"), made);
        return `${dirs[i]}/${LEAF}`;
      });
      return { dirs, procDirs: processDirs };
    } catch (e) {
      // What this call made, deepest first: a --cgroup-parent chain goes too
      try { removeCgroupDirs(made.reverse()); } catch { /* left for gc */ }
      throw e;
    }
  }
}

class V2Driver extends Base {
  constructor(host: CgroupHost, root: string, private readonly attachDevices?: DeviceFilterAttach) {
    super(host, root);
  }
  private get h(): Hierarchy {
    return this.host.hierarchies.find((x) => x.version === 2)!;
  }
  /**
   * Where a relative cgroupsPath hangs: bunbox's own cgroup when it holds nothing but this
   * runtime's processes (a delegated scope or service of its own, or the root), else the root of
   * the hierarchy, as runc's and Docker's cgroupfs drivers do. A login shell's session scope holds
   * the shell and more: cgroup v2 gives its children no controllers, so it cannot be the parent.
   */
  protected override baseDir(h: Hierarchy, cgroupsPath: string, self: number[] = this.self): string {
    const top = clean(`${this.root}${h.mountpoint}`);
    if (cgroupsPath.startsWith("/")) return top;
    const own = this.ownDir(h);
    if (own === top) return top;
    const procs = words(read(`${own}/cgroup.procs`)).map(Number);
    return procs.every((p) => self.includes(p)) ? own : top;
  }
  /** This runtime's pids, as create() was given them (plan() and dirsFor() decide the base alike). */
  private self: number[] = [process.pid];

  plan(cgroupsPath: string, resources: LinuxResources): PlannedWrite[] {
    return v2PlannedWrites(this.dirIn(this.h, cgroupsPath), resources);
  }

  create(cgroupsPath: string, resources: LinuxResources, self: number[] = []): ContainerCgroup {
    if (self.length) this.self = self;
    const h = this.h, dir = this.dirIn(h, cgroupsPath), base = this.baseDir(h, cgroupsPath);
    const writes = this.plan(cgroupsPath, resources);
    const made: string[] = [];
    try {
      mkdirChain(base, dir, false, made);
      this.enableChain(base, dir, v2Controllers(writes), self, made);
      this.writeAll(writes);
      // Before any process joins, like the limits
      for (const w of writes) {
        if (!w.program) continue;
        if (!this.attachDevices) throw new CgroupError("device rules on cgroup v2 need a device filter attacher (bug: the caller passed none)");
        this.attachDevices(dir, w.program);
      }
      // The processes go into a child, below the device program and the limits (nesting.ts)
      const leaf = `${dir}/${LEAF}`;
      mkdirChain(dir, leaf, false, made);
      this.enableChain(base, leaf, v2Controllers(writes), self, made);
      this.writeAll(mirrored(writes, leaf));
      return { dirs: [dir], procDirs: [leaf] };
    } catch (e) {
      // Every directory this call made goes, deepest first (a --cgroup-parent chain too); the
      // runtime's own leaf stays while its processes are in it (gc removes it once they are gone)
      try { removeCgroupDirs(made.filter((d) => !d.includes("/.runtime-")).reverse()); } catch { /* left for gc */ }
      throw e;
    }
  }

  /**
   * Enables the controllers in cgroup.subtree_control of every directory from `base` down to the
   * parent of `dir`. Required ones must work (else a clear error naming the controller); the
   * ones `stats` reads (cpu, memory, pids, io) are enabled when the host allows.
   * cgroup v2's "no internal processes" rule: a non-root cgroup holding processes cannot give
   * controllers to its children (EBUSY). If the only processes in `base` are this runtime's own
   * (bunbox started in a cgroup of its own: systemd-run --scope, a delegated service), they move to
   * the leaf `bunbox/.runtime-<pid>` first, as systemd asks of delegated subtrees.
   */
  private enableChain(base: string, dir: string, required: string[], self: number[], made: string[]): void {
    const chain = [base, ...dir.slice(base.length).split("/").filter(Boolean).slice(0, -1).map((_, i, parts) => `${base}/${parts.slice(0, i + 1).join("/")}`)];
    const wanted = [...new Set([...required, "cpu", "io", "memory", "pids"])];
    // Nothing is enabled in a base that holds processes: even a threaded controller (cpu, pids,
    // cpuset) would turn someone else's cgroup into a thread root
    const isRoot = base === clean(`${this.root}${this.h.mountpoint}`);
    if (!isRoot && words(read(`${base}/cgroup.procs`)).length && !this.moveSelfOut(base, self, made)) {
      const missing = required.filter((c) => !words(read(`${base}/cgroup.subtree_control`)).includes(c));
      if (missing.length) {
        throw new CgroupError(`cannot enable the cgroup v2 controller "${missing[0]}" in ${base}: it holds processes, and cgroup v2 gives no controllers to the children of a cgroup with processes of its own: start bunbox from a cgroup of its own (systemd-run --scope -p Delegate=yes) or give --cgroup-parent`);
      }
      return;
    }
    // Below `base`, a directory has exactly the controllers enabled in its parent
    let available = words(read(`${base}/cgroup.controllers`));
    for (const d of chain) {
      const enabled = new Set(words(read(`${d}/cgroup.subtree_control`)));
      const nowEnabled: string[] = [];
      for (const c of wanted) {
        if (enabled.has(c)) { nowEnabled.push(c); continue; }
        const needed = required.includes(c);
        if (!available.includes(c)) {
          if (needed) throw new CgroupError(`cgroup v2 controller "${c}" is not available in ${d} (cgroup.controllers: ${available.join(" ") || "none"}): it is not delegated to this cgroup; enable it in the parent's cgroup.subtree_control, or run bunbox in a delegated cgroup (systemd-run --scope -p Delegate=yes)`);
          continue;
        }
        try {
          writeFileSync(`${d}/cgroup.subtree_control`, `+${c}`);
          nowEnabled.push(c);
        } catch (e) {
          if (needed) {
            const why = code(e) === "EBUSY"
              ? `${d} holds processes, and cgroup v2 gives no controllers to the children of a cgroup with processes of its own: start bunbox from a cgroup of its own (systemd-run --scope -p Delegate=yes) or give --cgroup-parent`
              : errText(e);
            throw new CgroupError(`cannot enable the cgroup v2 controller "${c}" in ${d}: ${why}`);
          }
        }
      }
      available = nowEnabled;
    }
  }

  /** Moves this runtime's processes from `base` into bunbox/.runtime-<pid>, if they are the only ones there. */
  private moveSelfOut(base: string, self: number[], made: string[]): boolean {
    const procs = words(read(`${base}/cgroup.procs`)).map(Number);
    if (!self.length || procs.some((p) => !self.includes(p))) return false;
    const leaf = runtimeLeaf(base, self);
    mkdirChain(base, leaf, false, made);
    for (const p of procs) writeFileSync(`${leaf}/cgroup.procs`, String(p));
    return true;
  }
}

function runtimeLeaf(base: string, self: number[]): string {
  return `${base}/bunbox/.runtime-${self[0]}`;
}

/** mkdir -p from `from` (which exists) to `dir`; new v1 cpuset directories get their parent's cpus/mems. */
function mkdirChain(from: string, dir: string, cpuset: boolean, made: string[], attempt = 0): void {
  // `dir` itself first: its parents (the shared `bunbox` one) are there already in most runs
  if (attempt === 0 && dir.length > from.length) {
    try {
      mkdirSync(dir);
      made.push(dir);
      if (cpuset) copyCpuset(from, dir);
      return;
    } catch (e) {
      if (code(e) === "EEXIST") return;
      if (code(e) !== "ENOENT") throw e;
    }
  }
  let cur = from;
  for (const p of dir.slice(from.length).split("/").filter(Boolean)) {
    const parent = cur;
    cur = `${cur}/${p}`;
    // No look first: mkdir says EEXIST for the shared parents (a stat each cost as much again)
    try {
      mkdirSync(cur);
    } catch (e) {
      // Another bunbox removed the shared, empty `bunbox` parent between our check and mkdir
      if (code(e) === "ENOENT" && attempt < 3) return mkdirChain(from, dir, cpuset, made, attempt + 1);
      if (code(e) === "EEXIST") continue;
      throw e;
    }
    made.push(cur);
    if (cpuset) copyCpuset(from, cur, parent);
  }
}

/** An empty v1 cpuset refuses tasks: a new directory gets its parent's cpus and mems. */
function copyCpuset(top: string, dir: string, parent = dir.slice(0, dir.lastIndexOf("/"))): void {
  for (const f of ["cpuset.cpus", "cpuset.mems"]) writeFileSync(`${dir}/${f}`, cpusetValue(top, parent, f) || "\n");
}

/**
 * `dir`'s cpus or mems, filled from the nearest ancestor (below `top`) that has them when still
 * empty: another bunbox may have made the shared `bunbox` parent a moment ago and not yet copied
 * its own (the child would then get none, and refuse tasks with ENOSPC). Both write the same value.
 */
function cpusetValue(top: string, dir: string, file: string): string {
  const own = read(`${dir}/${file}`).trim();
  if (own || dir.length <= top.length) return own;
  const inherited = cpusetValue(top, dir.slice(0, dir.lastIndexOf("/")), file);
  if (inherited) writeFileSync(`${dir}/${file}`, inherited);
  return inherited;
}

/**
 * Removes the container's directories; a busy one (processes still exiting) is retried briefly.
 * Each directory is tried before its children: bunbox's children (nesting.ts) exist in one
 * hierarchy at most, and looking for them in every one cost two failed calls each.
 */
export function removeCgroupDirs(dirs: string[]): void {
  let first: unknown;
  for (const dir of dirs) {
    try {
      removeOne(dir);
    } catch (e) {
      first ??= e;
    }
  }
  if (first) throw first;
  for (const parent of new Set(dirs.map((d) => d.slice(0, d.lastIndexOf("/"))).filter((p) => p.endsWith("/bunbox")))) {
    if (staysWhenEmpty(parent)) continue;
    // One still holding another container's cgroup says EBUSY and stays
    try { rmdirSync(parent); } catch { /* in use */ }
  }
}

/**
 * A shared `bunbox` parent at the root of its hierarchy stays once empty, as Docker's and runc's
 * parents do: making and removing it again for every container cost ~3 ms of each `run` (ten
 * hierarchies on a hybrid host; interleaved runs). One inside another cgroup (a login session's
 * scope, a service's, a process's own as on the lab machines) goes, so that its owner can
 * remove that cgroup.
 */
function staysWhenEmpty(parent: string): boolean {
  return isMountRoot(parent.slice(0, parent.lastIndexOf("/")));
}

/** rmdir of one container directory: EBUSY is a child cgroup of bunbox's or a process still exiting. */
function removeOne(dir: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      if (code(e) === "ENOENT") return;
      // ENOTEMPTY: a plain directory (the tests' stand-in for cgroupfs) with children
      const plainDir = code(e) === "ENOTEMPTY" && attempt === 0;
      if ((code(e) !== "EBUSY" && !plainDir) || attempt >= 100) throw e;
    }
    // Its children first (gone already, or never made, in most hierarchies), then it again
    for (const child of childrenFirst([dir]).slice(0, -1)) {
      try { rmdirSync(child); } catch (e) { if (code(e) !== "ENOENT" && code(e) !== "EBUSY") throw e; }
    }
    if (attempt > 0) Bun.sleepSync(5);
  }
}

export function read(path: string): string {
  try { return readFileSync(path, "utf8"); } catch { return ""; }
}
function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}
function clean(p: string): string {
  return p.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
}
function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}
function errText(e: unknown): string {
  const c = code(e);
  return c ? `${c}${c === "EINVAL" ? " (invalid argument)" : c === "EBUSY" ? " (busy)" : c === "EACCES" || c === "EPERM" ? " (permission denied)" : c === "ENOENT" ? " (no such file)" : ""}` : String((e as Error)?.message ?? e);
}
