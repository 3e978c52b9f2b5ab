// The drivers against a fake cgroupfs in a temp dir (the root is a parameter): v1, v2 and hybrid
// layouts, as /proc/self/mountinfo and /proc/self/cgroup describe them.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { cgroupDriver, removeCgroupDirs } from "../../../src/cgroups/driver.ts";
import { readOom, readStats } from "../../../src/cgroups/stats.ts";
import { OwnedCgroup } from "../../../src/cgroups/owned.ts";
import { leavesOf, rmdirNested } from "../../../src/cgroups/nesting.ts";
import { v1Writes, v2Writes, sharesToWeight, blkioToIoWeight } from "../../../src/cgroups/limits.ts";
import type { LinuxResources } from "../../../src/config/schema.ts";

const ID = "c0ffee";
const LIMITS: LinuxResources = {
  memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 },
  cpu: { quota: 50000, period: 100000, shares: 512, cpus: "0" },
  pids: { limit: 64 },
  blockIO: { weight: 500, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] },
};

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mount = (n: number, point: string, fstype: string, opts: string) => `${n} 1 0:${n} / ${point} rw,relatime - ${fstype} ${fstype} rw,${opts}`;

function fakeV1(hybrid: boolean) {
  root = mkdtempSync(`${tmpdir()}/cg-`);
  const ctrls = ["cpu", "cpuacct", "cpuset", "memory", "devices", "pids", "blkio"];
  const lines = ctrls.map((c, i) => mount(30 + i, `/sys/fs/cgroup/${c}`, "cgroup", c));
  lines.push(mount(40, "/sys/fs/cgroup/systemd", "cgroup", "name=systemd"));
  if (hybrid) lines.push(mount(41, "/sys/fs/cgroup/unified", "cgroup2", "nsdelegate"));
  // this process sits in a memory cgroup of its own, at the root elsewhere (like this machine)
  const self = ["9:name=systemd:/", ...ctrls.map((c, i) => `${i + 1}:${c}:${c === "memory" ? "/process_api/me" : "/"}`), ...(hybrid ? ["0::/"] : [])].join("\n");
  for (const c of [...ctrls, "systemd", ...(hybrid ? ["unified"] : [])]) mkdirSync(`${root}/sys/fs/cgroup/${c}`, { recursive: true });
  mkdirSync(`${root}/sys/fs/cgroup/memory/process_api/me`, { recursive: true });
  writeFileSync(`${root}/sys/fs/cgroup/cpuset/cpuset.cpus`, "0-3\n");
  writeFileSync(`${root}/sys/fs/cgroup/cpuset/cpuset.mems`, "0\n");
  return parseCgroupHost(lines.join("\n") + "\n", self);
}

function fakeV2(opts: { own?: string; procs?: string; controllers?: string } = {}) {
  root = mkdtempSync(`${tmpdir()}/cg-`);
  const own = opts.own ?? "/system.slice/x.scope";
  const cg = `${root}/sys/fs/cgroup`;
  mkdirSync(`${cg}${own}`, { recursive: true });
  for (const d of ["", ...own.split("/").filter(Boolean).map((_, i, a) => "/" + a.slice(0, i + 1).join("/"))]) {
    writeFileSync(`${cg}${d}/cgroup.controllers`, (opts.controllers ?? "cpuset cpu io memory pids") + "\n");
    writeFileSync(`${cg}${d}/cgroup.subtree_control`, "");
    writeFileSync(`${cg}${d}/cgroup.procs`, "");
  }
  writeFileSync(`${cg}${own}/cgroup.procs`, opts.procs ?? "");
  return parseCgroupHost(mount(30, "/sys/fs/cgroup", "cgroup2", "nsdelegate") + "\n", `0::${own}\n`);
}

describe("layout", () => {
  test("v1, hybrid, v2 are told apart", () => {
    expect(fakeV1(false).mode).toBe("v1");
    expect(fakeV1(true).mode).toBe("hybrid");
    expect(fakeV2().mode).toBe("v2");
  });
});

describe("v1 and hybrid drivers", () => {
  for (const hybrid of [false, true]) {
    test(`${hybrid ? "hybrid" : "v1"}: dirs below the own cgroup in each hierarchy, limits in each controller's files`, () => {
      const host = fakeV1(hybrid);
      const d = cgroupDriver(host, root);
      expect(d.mode).toBe(hybrid ? "hybrid" : "v1");
      const cg = d.create(`bunbox/${ID}`, { ...LIMITS, blockIO: { weight: 500 } }, [1]);
      const base = `${root}/sys/fs/cgroup`;
      expect(cg.dirs).toContain(`${base}/memory/process_api/me/bunbox/${ID}`);
      expect(cg.dirs).toContain(`${base}/pids/bunbox/${ID}`);
      expect(cg.dirs.includes(`${base}/unified/bunbox/${ID}`)).toBe(hybrid);
      const at = (c: string, f: string) => readFileSync(`${base}/${c}${c === "memory" ? "/process_api/me" : ""}/bunbox/${ID}/${f}`, "utf8");
      expect(at("memory", "memory.limit_in_bytes")).toBe(String(64 << 20));
      expect(at("memory", "memory.soft_limit_in_bytes")).toBe(String(32 << 20));
      expect(at("cpu", "cpu.cfs_quota_us")).toBe("50000");
      expect(at("cpu", "cpu.cfs_period_us")).toBe("100000");
      expect(at("cpu", "cpu.shares")).toBe("512");
      expect(at("cpuset", "cpuset.cpus")).toBe("0");
      expect(at("cpuset", "cpuset.mems")).toBe("0"); // copied from the parent
      expect(at("pids", "pids.max")).toBe("64");
      // optional files the fake kernel lacks (memsw: no swap accounting; bfq weight) are skipped
      expect(existsSync(`${base}/memory/process_api/me/bunbox/${ID}/memory.memsw.limit_in_bytes`)).toBe(false);
      // the cgroup bunbox started in is untouched
      expect(existsSync(`${base}/memory/process_api/me/memory.limit_in_bytes`)).toBe(false);
      d.join(cg, 4242);
      for (const dir of new OwnedCgroup(cg).processDirs()) expect(readFileSync(`${dir}/cgroup.procs`, "utf8")).toBe("4242");
    });
  }

  test("a shared bunbox parent another bunbox made a moment ago, its cpuset not yet copied: the container still gets cpus and mems (not ENOSPC)", () => {
    const host = fakeV1(true);
    const base = `${root}/sys/fs/cgroup/cpuset`;
    mkdirSync(`${base}/bunbox`);
    writeFileSync(`${base}/bunbox/cpuset.cpus`, "\n");
    writeFileSync(`${base}/bunbox/cpuset.mems`, "");
    cgroupDriver(host, root).create(`bunbox/${ID}`, {}, [1]);
    expect(readFileSync(`${base}/bunbox/${ID}/cpuset.cpus`, "utf8")).toBe("0-3");
    expect(readFileSync(`${base}/bunbox/${ID}/cpuset.mems`, "utf8")).toBe("0");
    expect(readFileSync(`${base}/bunbox/cpuset.cpus`, "utf8")).toBe("0-3");
  });

  test("an absolute cgroupsPath (the user's choice) hangs from each hierarchy's root", () => {
    const d = cgroupDriver(fakeV1(true), root);
    expect(d.dirsFor(`/mine/${ID}`)).toContain(`${root}/sys/fs/cgroup/memory/mine/${ID}`);
    expect(() => d.dirsFor("/")).toThrow(/did not create/);
    expect(() => d.dirsFor("../escape")).toThrow(/not allowed/);
  });

  test("device rules go to devices.deny/allow; the plan names every write", () => {
    const d = cgroupDriver(fakeV1(false), root);
    const plan = d.plan(`bunbox/${ID}`, { devices: [{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 1, minor: 3, access: "rwm" }] });
    expect(plan.map((w) => `${w.file} ${w.value}`)).toEqual(["devices.deny a", "devices.allow c 1:3 rwm"]);
  });
});

describe("v2 driver", () => {
  test("enables controllers down the chain from its own cgroup, then writes v2 files", () => {
    const host = fakeV2({ own: "/system.slice/x.scope" });
    const d = cgroupDriver(host, root);
    const cg = d.create(`bunbox/${ID}`, LIMITS, [77]);
    const own = `${root}/sys/fs/cgroup/system.slice/x.scope`;
    expect(cg.dirs).toEqual([`${own}/bunbox/${ID}`]);
    const f = (n: string) => readFileSync(`${own}/bunbox/${ID}/${n}`, "utf8");
    expect(f("memory.max")).toBe(String(64 << 20));
    expect(f("memory.low")).toBe(String(32 << 20));
    expect(f("cpu.max")).toBe("50000 100000");
    expect(f("cpu.weight")).toBe(String(sharesToWeight(512)));
    expect(f("pids.max")).toBe("64");
    expect(f("io.max")).toBe("8:0 rbps=1048576");
    // the fake's writes overwrite: the last "+ctrl" written is what the file holds
    expect(readFileSync(`${own}/cgroup.subtree_control`, "utf8")).toMatch(/^\+\w+$/);
    expect(readFileSync(`${own}/bunbox/cgroup.subtree_control`, "utf8")).toMatch(/^\+\w+$/);
    // nothing above its own cgroup is touched
    expect(readFileSync(`${root}/sys/fs/cgroup/system.slice/cgroup.subtree_control`, "utf8")).toBe("");
  });

  test("device rules: one eBPF filter attached to the container's directory after the limits; none without rules", () => {
    const attached: { dir: string; insns: number; limitWritten: boolean }[] = [];
    const host = fakeV2({ own: "/system.slice/x.scope" });
    const own = `${root}/sys/fs/cgroup/system.slice/x.scope`;
    const d = cgroupDriver(host, root, (dir, program) => attached.push({ dir, insns: program.length / 8, limitWritten: existsSync(`${dir}/pids.max`) }));
    const devices = [{ allow: false, access: "rwm" }, { allow: true, type: "c" as const, major: 1, minor: 3, access: "rwm" }];
    d.create(`bunbox/${ID}`, { pids: { limit: 64 }, devices }, [77]);
    expect(attached).toEqual([{ dir: `${own}/bunbox/${ID}`, insns: 13, limitWritten: true }]);
    // --explain shows it; it is neither a file to write nor a controller to enable
    const planned = d.plan(`bunbox/${ID}`, { devices });
    expect(planned.map((w) => [w.file, w.value, w.controller])).toEqual([["bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)", "13 eBPF instructions", ""]]);
    expect(existsSync(`${own}/bunbox/${ID}/bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)`)).toBe(false);
    d.create(`bunbox/${ID}b`, { pids: { limit: 64 } }, [77]);
    expect(attached).toHaveLength(1);
  });

  test("a device filter the kernel refuses: the error names it, the directory is removed", () => {
    const host = fakeV2({ own: "/system.slice/x.scope" });
    const own = `${root}/sys/fs/cgroup/system.slice/x.scope`;
    const d = cgroupDriver(host, root, () => { throw new Error("bpf(BPF_PROG_ATTACH): EPERM"); });
    expect(() => d.create(`bunbox/${ID}`, { devices: [{ allow: true, access: "rwm" }] }, [77])).toThrow(/BPF_PROG_ATTACH/);
    expect(existsSync(`${own}/bunbox/${ID}`)).toBe(false);
  });

  test("a controller the parent did not delegate: a clear error naming it, nothing left behind", () => {
    const d = cgroupDriver(fakeV2({ controllers: "cpu pids" }), root);
    expect(() => d.create(`bunbox/${ID}`, { memory: { limit: 64 << 20 } })).toThrow(/controller "memory" is not available in .*x\.scope .*not delegated/);
    expect(existsSync(`${root}/sys/fs/cgroup/system.slice/x.scope/bunbox/${ID}`)).toBe(false);
  });

  test("its own cgroup holds someone else's processes (a login shell's session scope): bunbox/<id> at the hierarchy's root, the session untouched", () => {
    const d = cgroupDriver(fakeV2({ procs: "100\n200\n" }), root);
    const cg = d.create(`bunbox/${ID}`, { pids: { limit: 10 } }, [100]);
    const top = `${root}/sys/fs/cgroup`;
    expect(cg.dirs).toEqual([`${top}/bunbox/${ID}`]);
    expect(d.dirsFor(`bunbox/${ID}`)).toEqual(cg.dirs); // what --explain and update plan for
    expect(readFileSync(`${top}/bunbox/${ID}/pids.max`, "utf8")).toBe("10");
    expect(readFileSync(`${top}/system.slice/x.scope/cgroup.subtree_control`, "utf8")).toBe("");
    expect(readFileSync(`${top}/system.slice/x.scope/cgroup.procs`, "utf8")).toBe("100\n200\n");
    expect(existsSync(`${top}/system.slice/x.scope/bunbox`)).toBe(false);
    expect(d.bunboxParents()).toEqual([`${top}/system.slice/x.scope/bunbox`, `${top}/bunbox`]);
  });

  test("a failed create removes every directory it made (a --cgroup-parent chain too)", () => {
    const d = cgroupDriver(fakeV2({ procs: "100\n200\n", controllers: "cpu memory" }), root);
    expect(() => d.create(`mine/deeper/${ID}`, { pids: { limit: 10 } }, [100])).toThrow(/controller "pids" is not available/);
    expect(existsSync(`${root}/sys/fs/cgroup/mine`)).toBe(false);
  });

  test("alone in its own cgroup (a scope of its own): it moves itself to bunbox/.runtime-<pid> first", () => {
    const d = cgroupDriver(fakeV2({ procs: "100\n101\n" }), root);
    d.create(`bunbox/${ID}`, { pids: { limit: 10 } }, [100, 101]);
    expect(readFileSync(`${root}/sys/fs/cgroup/system.slice/x.scope/bunbox/.runtime-100/cgroup.procs`, "utf8")).toBe("101");
  });

  test("the root cgroup may hold processes (the kernel exempts it)", () => {
    const d = cgroupDriver(fakeV2({ own: "/", procs: "1\n" }), root);
    const cg = d.create(`bunbox/${ID}`, { memory: { limit: 64 << 20 } }, [5]);
    expect(cg.dirs).toEqual([`${root}/sys/fs/cgroup/bunbox/${ID}`]);
  });
});

// Issue 14 item 4: the container's processes live in a child of the cgroup that carries its device
// rules (nesting.ts), so that nothing it can write from inside widens them
describe("the container's processes in a child below its device rules", () => {
  const DEVICES = [{ allow: false, access: "rwm" }, { allow: true, type: "c" as const, major: 1, minor: 3, access: "rwm" }];

  test("v1 and hybrid: a child in the devices hierarchy alone, made after the rules; joins go there", () => {
    const host = fakeV1(true);
    const cg = cgroupDriver(host, root).create(`bunbox/${ID}`, { memory: { limit: 64 << 20 }, devices: DEVICES }, [1]);
    const base = `${root}/sys/fs/cgroup`, devices = `${base}/devices/bunbox/${ID}`;
    expect(readFileSync(`${devices}/devices.deny`, "utf8")).toBe("a");
    expect(cg.dirs.filter((d) => existsSync(`${d}/container`))).toEqual([devices]);
    expect(leavesOf(host, cg.dirs.map((d) => d.slice(root.length))).map((d) => `${root}${d}`)).toEqual([`${devices}/container`]);
    const owned = new OwnedCgroup(cg);
    owned.join(4242);
    expect(readFileSync(`${devices}/container/cgroup.procs`, "utf8")).toBe("4242");
    expect(existsSync(`${devices}/cgroup.procs`)).toBe(false);
    // every other hierarchy as before: the memory limit and its processes in one directory
    expect(readFileSync(`${base}/memory/process_api/me/bunbox/${ID}/cgroup.procs`, "utf8")).toBe("4242");
    expect(owned.pids()).toEqual([4242]);
  });

  test("v2: the device program on the container's cgroup, the processes and a copy of the limits in its child", () => {
    const host = fakeV2({ own: "/system.slice/x.scope" });
    const attached: string[] = [];
    const cg = cgroupDriver(host, root, (dir) => attached.push(dir)).create(`bunbox/${ID}`, { ...LIMITS, devices: DEVICES }, [77]);
    const dir = `${root}/sys/fs/cgroup/system.slice/x.scope/bunbox/${ID}`;
    expect([cg.dirs, attached]).toEqual([[dir], [dir]]);
    for (const f of ["memory.max", "pids.max", "cpu.max", "io.max"]) expect([f, readFileSync(`${dir}/container/${f}`, "utf8")]).toEqual([f, readFileSync(`${dir}/${f}`, "utf8")]);
    // the container's cgroup gives its controllers to the child (the fake keeps the last write)
    expect(readFileSync(`${dir}/cgroup.subtree_control`, "utf8")).toMatch(/^\+\w+$/);
    expect(leavesOf(host, [`/sys/fs/cgroup/bunbox/${ID}`])).toEqual([`/sys/fs/cgroup/bunbox/${ID}/container`]);
    const owned = new OwnedCgroup(cg);
    owned.join(4242);
    expect([owned.processDirs(), owned.pids()]).toEqual([[`${dir}/container`], [4242]]);
  });

  test("v2 update: the container's cgroup and its child get the new limits; device rules stay as made", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    const mnt = `${root}/sys/fs/cgroup`, dir = `${mnt}/bunbox/${ID}`;
    mkdirSync(`${dir}/container`, { recursive: true });
    const host = parseCgroupHost(mount(30, mnt, "cgroup2", "nsdelegate") + "\n", "0::/\n");
    new OwnedCgroup({ dirs: [dir] }).update(host, { memory: { limit: 32 << 20 }, devices: DEVICES });
    expect([readFileSync(`${dir}/memory.max`, "utf8"), readFileSync(`${dir}/container/memory.max`, "utf8")]).toEqual([String(32 << 20), String(32 << 20)]);
    expect(existsSync(`${dir}/bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)`)).toBe(false);
  });

  test("v1 update leaves the device rules alone (the kernel refuses `a` in a cgroup with a child)", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    const mnt = `${root}/sys/fs/cgroup`, devices = `${mnt}/devices/bunbox/${ID}`, pids = `${mnt}/pids/bunbox/${ID}`;
    for (const d of [`${devices}/container`, pids]) mkdirSync(d, { recursive: true });
    const host = parseCgroupHost(["devices", "pids"].map((c, i) => mount(30 + i, `${mnt}/${c}`, "cgroup", c)).join("\n") + "\n", "1:devices:/\n2:pids:/\n");
    new OwnedCgroup({ dirs: [devices, pids] }).update(host, { pids: { limit: 9 }, devices: DEVICES });
    expect(readFileSync(`${pids}/pids.max`, "utf8")).toBe("9");
    expect(existsSync(`${devices}/devices.deny`)).toBe(false);
  });

  test("removal takes the children first (the processes' child, exec's staging one), then the container's cgroup", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    for (const c of ["container", ".exec"]) mkdirSync(`${root}/bunbox/one/${c}`, { recursive: true });
    mkdirSync(`${root}/bunbox/two/container`, { recursive: true });
    removeCgroupDirs([`${root}/bunbox/one`]);
    expect(existsSync(`${root}/bunbox/one`)).toBe(false);
    rmdirNested(`${root}/bunbox/two`);
    expect(existsSync(`${root}/bunbox/two`)).toBe(false);
  });
});

describe("limits as data", () => {
  test("v2 conversions: swap alone, shares → weight, blkio weight → io.weight", () => {
    const w = Object.fromEntries(v2Writes(LIMITS).map((x) => [x.file, x.value]));
    expect(w["memory.swap.max"]).toBe(String(64 << 20));
    expect(v2Writes({ memory: { limit: 1 << 26, swap: -1 } }).find((x) => x.file === "memory.swap.max")!.value).toBe("max");
    expect([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262144)]).toEqual([1, 39, 10000]);
    expect([blkioToIoWeight(10), blkioToIoWeight(500), blkioToIoWeight(1000)]).toEqual([1, 4950, 10000]);
    expect(w["io.weight"]).toBe("default 4950");
    expect(v2Writes({ pids: { limit: -1 } })[0]!.value).toBe("max");
  });

  test("v1: memory limit before memsw (the kernel wants memsw ≥ limit)", () => {
    const files = v1Writes(LIMITS).map((x) => x.file);
    expect(files.indexOf("memory.limit_in_bytes")).toBeLessThan(files.indexOf("memory.memsw.limit_in_bytes"));
  });
});

describe("OOM and stats from the directories alone", () => {
  test("v2 memory.events oom_kill; v1 memory.oom_control oom_kill, or failcnt at the limit", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    const v2 = `${root}/v2`, v1 = `${root}/v1`, old = `${root}/old`;
    for (const d of [v2, v1, old]) mkdirSync(d);
    writeFileSync(`${v2}/memory.events`, "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
    writeFileSync(`${v2}/memory.max`, "67108864\n");
    expect(readOom([v2])).toEqual({ killed: true, limit: 67108864 });
    writeFileSync(`${v1}/memory.oom_control`, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
    writeFileSync(`${v1}/memory.limit_in_bytes`, "9223372036854771712\n");
    expect(readOom([v1])).toEqual({ killed: false });
    writeFileSync(`${old}/memory.oom_control`, "oom_kill_disable 0\nunder_oom 0\n");
    writeFileSync(`${old}/memory.limit_in_bytes`, "67108864\n");
    writeFileSync(`${old}/memory.failcnt`, "31\n");
    writeFileSync(`${old}/memory.max_usage_in_bytes`, "67108864\n");
    expect(readOom([`${root}/nothing`, old])).toEqual({ killed: true, limit: 67108864 });
  });

  test("stats: v2 files in one dir, v1 spread over hierarchies", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    const v2 = `${root}/v2`;
    mkdirSync(v2);
    writeFileSync(`${v2}/cgroup.type`, "domain\n");
    writeFileSync(`${v2}/cpu.stat`, "usage_usec 1500\nuser_usec 1000\n");
    writeFileSync(`${v2}/memory.current`, "10485760\n");
    writeFileSync(`${v2}/memory.stat`, "anon 1\ninactive_file 1048576\n");
    writeFileSync(`${v2}/memory.max`, "max\n");
    writeFileSync(`${v2}/pids.current`, "3\n");
    writeFileSync(`${v2}/io.stat`, "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2\n");
    expect(readStats([v2])).toEqual({ cpuNs: 1_500_000, memUsage: 9437184, pids: 3, blkRead: 4096, blkWrite: 8192 });
    const [acct, mem, pids] = ["cpuacct", "memory", "pids"].map((c) => `${root}/${c}`);
    for (const d of [acct!, mem!, pids!]) mkdirSync(d);
    writeFileSync(`${acct}/cpuacct.usage`, "2000000\n");
    writeFileSync(`${mem}/memory.usage_in_bytes`, "2097152\n");
    writeFileSync(`${mem}/memory.stat`, "total_inactive_file 1048576\n");
    writeFileSync(`${mem}/memory.limit_in_bytes`, "67108864\n");
    writeFileSync(`${pids}/pids.current`, "5\n");
    expect(readStats([acct!, mem!, pids!])).toEqual({ cpuNs: 2_000_000, memUsage: 1048576, memLimit: 67108864, pids: 5, blkRead: 0, blkWrite: 0 });
  });

  test("removeCgroupDirs: missing dirs are fine", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    mkdirSync(`${root}/a`);
    removeCgroupDirs([`${root}/a`, `${root}/gone`]);
    expect(existsSync(`${root}/a`)).toBe(false);
  });

  test("removeCgroupDirs: the shared bunbox parent goes once empty, not while another container's is in it", () => {
    root = mkdtempSync(`${tmpdir()}/cg-`);
    mkdirSync(`${root}/bunbox/one`, { recursive: true });
    mkdirSync(`${root}/bunbox/two`);
    removeCgroupDirs([`${root}/bunbox/one`]);
    expect(existsSync(`${root}/bunbox/two`)).toBe(true);
    removeCgroupDirs([`${root}/bunbox/two`]);
    expect(existsSync(`${root}/bunbox`)).toBe(false);
  });
});

describe("properties applied or refused (issue 17)", () => {
  test("disableOOMKiller, hugepage, network and rdma limits become v1 files", () => {
    const w = v1Writes({ memory: { disableOOMKiller: true }, hugepageLimits: [{ pageSize: "2MB", limit: 8388608 }], network: { classID: 1048577, priorities: [{ name: "eth0", priority: 5 }] }, rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } } });
    expect(w.map((x) => [x.controller, x.file, x.value])).toEqual([
      ["memory", "memory.oom_control", "1"],
      ["hugetlb", "hugetlb.2MB.limit_in_bytes", "8388608"],
      ["net_cls", "net_cls.classid", "1048577"],
      ["rdma", "rdma.max", "mlx5_1 hca_handle=3 hca_object=10000"],
      ["net_prio", "net_prio.ifpriomap", "eth0 5"],
    ]);
  });
  test("v2: hugepage and rdma limits written; no OOM-killer switch and no net_cls/net_prio there, so both are refused", () => {
    expect(v2Writes({ hugepageLimits: [{ pageSize: "1GB", limit: 1 << 30 }], rdma: { mlx5_1: { hcaHandles: 3 } } }).map((x) => [x.controller, x.file, x.value])).toEqual([
      ["hugetlb", "hugetlb.1GB.max", String(1 << 30)],
      ["rdma", "rdma.max", "mlx5_1 hca_handle=3"],
    ]);
    expect(() => v2Writes({ memory: { disableOOMKiller: true } })).toThrow("disableOOMKiller: cgroup v2 cannot turn off the OOM killer");
    expect(() => v2Writes({ network: { classID: 1 } })).toThrow("cgroup v2 has no net_cls or net_prio controller");
    expect(v2Writes({ memory: { disableOOMKiller: false } })).toEqual([]);
  });
});
