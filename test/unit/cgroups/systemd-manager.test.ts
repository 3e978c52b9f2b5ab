// The systemd manager against a recording fake of systemd and a fake cgroupfs in a temp dir:
// what bunbox asks systemd for, and what it writes into the scope systemd made.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { createScope, parseSystemdPath, unitName, slicePath, checkSlice, scopeResources, type SystemdScopes } from "../../../src/cgroups/systemd-scope.ts";
import { chooseManager, cgroupsPathFor } from "../../../src/cgroups/manager.ts";
import { OwnedCgroup } from "../../../src/cgroups/owned.ts";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

const V2 = parseCgroupHost("30 1 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n", "0::/user.slice/user-0.slice/session-1.scope\n");
const HYBRID = parseCgroupHost("30 1 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n31 1 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n", "5:memory:/\n0::/\n");

/** systemd as the test sees it: records calls, makes the scope's directory like systemd would. */
function fakeSystemd(controllers = "cpuset cpu io memory pids") {
  root = mkdtempSync(`${tmpdir()}/cg-systemd-`);
  const calls: string[] = [];
  const scopes: SystemdScopes = {
    startScope(req) {
      calls.push(`start ${req.unit} slice=${req.slice} pids=${req.pids.join(",")} ${Object.entries(req.resources).map(([k, v]) => `${k}=${v}`).join(" ")}`);
      const group = `${slicePath(req.slice)}/${req.unit}`;
      mkdirSync(`${root}/sys/fs/cgroup${group}`, { recursive: true });
      writeFileSync(`${root}/sys/fs/cgroup${group}/cgroup.controllers`, controllers + "\n");
      return group;
    },
    stopUnit(unit) { calls.push(`stop ${unit}`); },
  };
  return { scopes, calls };
}

describe("systemd's form of cgroupsPath", () => {
  test("slice:prefix:name, unit names and slice paths as runc and systemd spell them", () => {
    expect(parseSystemdPath("bunbox.slice:bunbox:abc")).toEqual({ slice: "bunbox.slice", prefix: "bunbox", name: "abc" });
    expect(parseSystemdPath("/bunbox/abc")).toBeUndefined();
    expect(parseSystemdPath("bunbox/abc")).toBeUndefined();
    expect(unitName({ slice: "", prefix: "cri-containerd", name: "abc" })).toBe("cri-containerd-abc.scope");
    expect(unitName({ slice: "", prefix: "", name: "abc" })).toBe("abc.scope");
    expect(slicePath("bunbox.slice")).toBe("/bunbox.slice");
    expect(slicePath("kubepods-besteffort.slice")).toBe("/kubepods.slice/kubepods-besteffort.slice");
    expect(checkSlice("")).toBe("system.slice");
    expect(() => checkSlice("/mine")).toThrow(/slice name such as my.slice/);
    expect(() => checkSlice("mine")).toThrow(/slice name/);
  });

  test("limits as unit properties (systemd rewrites its scopes' files): no --pids-limit is no cap", () => {
    expect(scopeResources({})).toEqual({ tasksMax: 2n ** 64n - 1n });
    expect(scopeResources({ memory: { limit: 32 << 20, reservation: 16 << 20, swap: 64 << 20 }, pids: { limit: 32 }, cpu: { quota: 50000, period: 100000, shares: 512, cpus: "0-1,3" }, blockIO: { weight: 500 } }))
      .toEqual({ tasksMax: 32, memoryMax: 32 << 20, memoryLow: 16 << 20, memorySwapMax: 32 << 20, cpuQuotaPerSecUSec: 500000, cpuQuotaPeriodUSec: 100000, cpuWeight: 20, allowedCPUs: [0, 1, 3], ioWeight: 4950 });
    // --cpus 0.333 gives 33300 µs a period: systemd takes whole 10 ms per second, rounded up
    expect(scopeResources({ cpu: { quota: 33300, period: 100000 } }).cpuQuotaPerSecUSec).toBe(340000);
  });
});

describe("the manager", () => {
  test("systemd where systemd runs cgroup v2; cgroupfs elsewhere; --cgroup-manager overrides", () => {
    expect(chooseManager(undefined, { cgroups: V2, systemdBooted: true })).toBe("systemd");
    expect(chooseManager(undefined, { cgroups: V2, systemdBooted: false })).toBe("cgroupfs");
    expect(chooseManager(undefined, { cgroups: HYBRID, systemdBooted: true })).toBe("cgroupfs");
    expect(chooseManager("cgroupfs", { cgroups: V2, systemdBooted: true })).toBe("cgroupfs");
    expect(() => chooseManager("systemd", { cgroups: V2, systemdBooted: false })).toThrow(/systemd is not running/);
    expect(() => chooseManager("systemd", { cgroups: HYBRID, systemdBooted: true })).toThrow(/hybrid/);
    expect(() => chooseManager("sd", { cgroups: V2, systemdBooted: true })).toThrow(/invalid --cgroup-manager "sd"/);
    expect(cgroupsPathFor("systemd", "abc")).toBe("bunbox.slice:bunbox:abc");
    expect(cgroupsPathFor("systemd", "abc", "my.slice")).toBe("my.slice:bunbox:abc");
    expect(() => cgroupsPathFor("systemd", "abc", "/mine")).toThrow(/slice name/);
    expect(cgroupsPathFor("cgroupfs", "abc", "/mine/")).toBe("/mine/abc");
    expect(cgroupsPathFor("cgroupfs", "abc")).toBe("bunbox/abc");
  });
});

describe("createScope", () => {
  test("asks for the scope around the init, then writes the limits into the scope's cgroup", () => {
    const { scopes, calls } = fakeSystemd();
    const cg = createScope({ host: V2, scopes, path: parseSystemdPath("bunbox.slice:bunbox:abc")!, resources: { memory: { limit: 32 << 20 }, pids: { limit: 32 }, cpu: { quota: 50000, period: 100000 } }, pid: 4242, description: "bunbox container abc", root });
    const dir = `${root}/sys/fs/cgroup/bunbox.slice/bunbox-abc.scope`;
    expect(cg).toEqual({ dirs: [dir], unit: "bunbox-abc.scope" });
    expect(calls).toEqual([`start bunbox-abc.scope slice=bunbox.slice pids=4242 tasksMax=32 memoryMax=${32 << 20} cpuQuotaPerSecUSec=500000 cpuQuotaPeriodUSec=100000`]);
    expect(readFileSync(`${dir}/memory.max`, "utf8")).toBe(String(32 << 20));
    expect(readFileSync(`${dir}/pids.max`, "utf8")).toBe("32");
    expect(readFileSync(`${dir}/cpu.max`, "utf8")).toBe("50000 100000");
    // The init moves into the scope's child, below the scope's device program; the limits are
    // copied there, where the container reads them (src/cgroups/nesting.ts)
    expect(readFileSync(`${dir}/container/cgroup.procs`, "utf8")).toBe("4242");
    expect(readFileSync(`${dir}/container/memory.max`, "utf8")).toBe(String(32 << 20));
    expect(readFileSync(`${dir}/cgroup.subtree_control`, "utf8")).toMatch(/^\+\w+$/);
  });

  test("a controller systemd did not delegate: one clear line, and the scope is stopped", () => {
    const { scopes, calls } = fakeSystemd("cpu memory");
    expect(() => createScope({ host: V2, scopes, path: parseSystemdPath("bunbox.slice:bunbox:abc")!, resources: { pids: { limit: 32 } }, pid: 1, description: "", root }))
      .toThrow(/controller "pids" is not available in .*bunbox-abc.scope/);
    expect(calls.at(-1)).toBe("stop bunbox-abc.scope");
  });

  test("device rules are attached to the scope's cgroup", () => {
    const { scopes } = fakeSystemd();
    const attached: string[] = [];
    createScope({ host: V2, scopes, path: parseSystemdPath("x.slice:p:n")!, resources: { devices: [{ allow: false, access: "rwm" }] }, pid: 1, description: "", root, attachDevices: (dir) => attached.push(dir) });
    expect(attached).toEqual([`${root}/sys/fs/cgroup/x.slice/p-n.scope`]);
  });

  test("not on a host with v1 hierarchies", () => {
    const { scopes } = fakeSystemd();
    expect(() => createScope({ host: HYBRID, scopes, path: parseSystemdPath("bunbox.slice:bunbox:abc")!, resources: {}, pid: 1, description: "", root })).toThrow(/cgroup v2 alone/);
  });

  test("removing a scope's cgroup stops the unit first", () => {
    const { scopes, calls } = fakeSystemd();
    const cg = createScope({ host: V2, scopes, path: parseSystemdPath("bunbox.slice:bunbox:abc")!, resources: {}, pid: 1, description: "", root });
    rmSync(cg.dirs[0]!, { recursive: true }); // systemd removes it when the unit stops
    new OwnedCgroup(cg, () => scopes).remove();
    expect(calls.at(-1)).toBe("stop bunbox-abc.scope");
  });
});
