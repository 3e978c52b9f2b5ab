// Which cgroup hierarchies the host has (v1, v2 or both: "hybrid") and where this process sits in
// each. Pure parsing of /proc/self/mountinfo and /proc/self/cgroup, so tests can feed fixtures.

export interface Hierarchy {
  version: 1 | 2;
  /** Where the hierarchy is mounted on the host, e.g. /sys/fs/cgroup/memory. */
  mountpoint: string;
  /** v1 mount data: "memory", "cpu,cpuacct", "name=systemd"; "" for v2. */
  options: string;
  /** v1 controllers of this hierarchy (empty for v2 and named hierarchies). */
  controllers: string[];
  /** This process's cgroup in the hierarchy, e.g. /process_api/978c…; "/" at the root. */
  current: string;
  /** The cgroup path within the hierarchy that the mountpoint shows (mountinfo's root field). */
  mountRoot: string;
}

export interface CgroupHost {
  mode: "v1" | "v2" | "hybrid";
  hierarchies: Hierarchy[];
}

const V1_OPTIONS = new Set(["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc"]);

export function parseCgroupHost(mountinfo: string, procCgroup: string): CgroupHost {
  const current = new Map<string, string>();
  for (const line of procCgroup.split("\n").filter(Boolean)) {
    const [id, ctrls, ...rest] = line.split(":");
    current.set(id === "0" ? "" : ctrls!, rest.join(":"));
  }
  const hierarchies: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of mountinfo.split("\n").filter(Boolean)) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const f = left.split(" ");
    const [fstype, , superOpts = ""] = right.split(" ");
    const mountpoint = unescape(f[4]!);
    const mountRoot = unescape(f[3]!);
    if (fstype === "cgroup2") {
      if (seen.has("")) continue;
      seen.add("");
      hierarchies.push({ version: 2, mountpoint, options: "", controllers: [], current: current.get("") ?? "/", mountRoot });
    } else if (fstype === "cgroup") {
      const opts = superOpts.split(",").filter((o) => V1_OPTIONS.has(o) || o.startsWith("name="));
      const key = opts.join(",");
      if (!key || seen.has(key)) continue;
      seen.add(key);
      hierarchies.push({ version: 1, mountpoint, options: key, controllers: opts.filter((o) => V1_OPTIONS.has(o)), current: current.get(key) ?? "/", mountRoot });
    }
  }
  const v1 = hierarchies.some((h) => h.version === 1), v2 = hierarchies.some((h) => h.version === 2);
  return { mode: v1 && v2 ? "hybrid" : v1 ? "v1" : "v2", hierarchies };
}

function unescape(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}
