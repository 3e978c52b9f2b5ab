// The plan of a container in a user namespace: what the host's root does before joining, what
// the namespace's root does after, and the whole plan as a golden.
import { describe, expect, test } from "bun:test";
import { specFromFlags, type RunFlags } from "../../../src/config/from-flags.ts";
import { planInit, USERNS_BY_PARENT } from "../../../src/runtime/plan.ts";
import { stepLine } from "../../../src/runtime/narrate.ts";
import { cgroupLayoutForMounts } from "../../../src/runtime/create.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { planExec } from "../../../src/runtime/exec.ts";
import { threadCount } from "../../../src/linux/namespaces/apply-user.ts";
import { hostOwner } from "../../../src/runtime/user-namespace.ts";
import { CLONE } from "../../../src/sys/constants.ts";
import { golden } from "../../golden.ts";
import type { Step } from "../../../src/linux/steps.ts";

const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "", group: "" };
const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "" };
const paths = { id: "c0ffee".padEnd(64, "0"), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];
const flags = (over: Partial<RunFlags> = {}): RunFlags => ({
  env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [],
  userns: { uidMappings: MAP, gidMappings: MAP }, ...over,
});
const V2 = parseCgroupHost("40 22 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice\n");
const spec = (over: Partial<RunFlags> = {}) => specFromFlags(flags(over), image, host, paths).spec;
const plan = (over: Partial<RunFlags> = {}) => planInit(spec(over), { cgroups: cgroupLayoutForMounts(V2) });
const at = (steps: Step[], pred: (s: Step) => boolean) => steps.findIndex(pred);

describe("a user namespace in the plan", () => {
  test("golden: host-side mounts, the join, then the namespaces it owns", () => {
    const out = plan({ volumes: ["/srv/data:/data"], tmpfs: ["/scratch"] }).map((s) => stepLine(s, { timing: false, color: false })).join("");
    expect(out).toBe(golden("plan-userns.txt", out));
  });

  test("as the host's root: the idmapped overlay, /proc, the host binds, rlimits; the other namespaces after the join", () => {
    const steps = plan({ volumes: ["/srv/data:/data"], tmpfs: ["/scratch"] });
    const join = at(steps, (s) => s.kind === "join-user");
    expect(steps[join]).toMatchObject({ kind: "join-user", path: USERNS_BY_PARENT });
    expect(at(steps, (s) => s.kind === "idmapped-overlay")).toBeLessThan(join);
    expect(at(steps, (s) => s.kind === "mount" && s.fstype === "proc")).toBeLessThan(join);
    expect(at(steps, (s) => s.kind === "bind" && s.source === "/srv/data")).toBeLessThan(join);
    expect(at(steps, (s) => s.kind === "bind" && s.target === "/etc/hosts")).toBeLessThan(join);
    // the container's namespaces are made by the namespace's root: it owns them
    const unshares = steps.flatMap((s, i) => (s.kind === "unshare" ? [[i, s.flags] as const] : []));
    expect(unshares[0]).toEqual([expect.any(Number), CLONE.NEWNS]);
    expect(unshares[0]![0]).toBeLessThan(join);
    expect(unshares[1]![0]).toBeGreaterThan(join);
    expect(unshares[1]![1] & (CLONE.NEWNS | CLONE.NEWNET | CLONE.NEWIPC | CLONE.NEWUTS | CLONE.NEWCGROUP)).toBe(CLONE.NEWNS | CLONE.NEWNET | CLONE.NEWIPC | CLONE.NEWUTS | CLONE.NEWCGROUP);
    // after it: the root re-bound, sysfs, tmpfs, mqueue; no mknod, the host's nodes bound
    expect(at(steps, (s) => s.kind === "rebind-root")).toBeGreaterThan(unshares[1]![0]);
    expect(at(steps, (s) => s.kind === "mount" && s.fstype === "sysfs")).toBeGreaterThan(join);
    expect(at(steps, (s) => s.kind === "mount" && s.target === "/scratch")).toBeGreaterThan(join);
    expect(steps.filter((s) => s.kind === "mknod")).toEqual([]);
    expect(steps.find((s) => s.kind === "bind" && s.target === "/dev/null")).toMatchObject({ source: "/dev/null", recursive: false });
    expect(steps.filter((s) => s.kind === "mount" && s.fstype === "proc")).toHaveLength(1);
    expect(steps.filter((s) => s.kind === "mount" && s.fstype === "overlay")).toEqual([]);
  });

  test("rlimits go in before the join (raising a hard limit needs the host's CAP_SYS_RESOURCE)", () => {
    const s = spec();
    s.process!.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1024, hard: 1048576 }];
    const steps = planInit(s, { cgroups: cgroupLayoutForMounts(V2) });
    expect(at(steps, (x) => x.kind === "rlimit")).toBeLessThan(at(steps, (x) => x.kind === "join-user"));
    expect(steps.filter((x) => x.kind === "rlimit")).toHaveLength(1);
  });

  test("a bind under another mount's target stays after the join (made first, the other would hide it)", () => {
    const steps = plan({ tmpfs: ["/scratch"], volumes: ["/srv/x:/scratch/x"] });
    expect(at(steps, (s) => s.kind === "bind" && s.source === "/srv/x")).toBeGreaterThan(at(steps, (s) => s.kind === "join-user"));
  });

  test("a user namespace given by path is joined, not made; OCI devices are bound from the host", () => {
    const s = spec();
    s.linux!.namespaces = s.linux!.namespaces!.map((n) => (n.type === "user" ? { type: "user", path: "/proc/42/ns/user" } : n));
    delete s.linux!.uidMappings;
    delete s.linux!.gidMappings;
    s.linux!.devices = [{ path: "/dev/fuse", type: "c", major: 10, minor: 229 }, { path: "/dev/pipe", type: "p" }] as never;
    const steps = planInit(s, { cgroups: cgroupLayoutForMounts(V2) });
    expect(steps.find((x) => x.kind === "join-user")).toMatchObject({ path: "/proc/42/ns/user", why: expect.stringContaining("given by path") });
    expect(steps.find((x) => x.kind === "bind" && x.target === "/dev/fuse")).toMatchObject({ source: "/dev/fuse" });
    // a fifo is no device: mknod makes it in a user namespace too
    expect(steps.find((x) => x.kind === "mknod")).toMatchObject({ path: "/dev/pipe", type: "p" });
  });

  test("layers already copied with mapped ids (their filesystem cannot be idmapped): a plain overlay, before the join", () => {
    const s = spec();
    s.annotations!["org.bunbox.overlay"] = JSON.stringify({ lower: "/c/lower-mapped/0", upper: "/c/upper", work: "/c/work", mapped: true });
    const steps = planInit(s, { cgroups: cgroupLayoutForMounts(V2) });
    expect(steps.some((x) => x.kind === "idmapped-overlay")).toBe(false);
    const overlay = at(steps, (x) => x.kind === "mount" && x.fstype === "overlay");
    expect(steps[overlay]).toMatchObject({ where: "host", data: "lowerdir=/c/lower-mapped/0,upperdir=/c/upper,workdir=/c/work" });
    expect(overlay).toBeLessThan(at(steps, (x) => x.kind === "join-user"));
  });

  test("no user namespace: the plan has none of it", () => {
    const steps = planInit(specFromFlags(flags({ userns: undefined }), image, host, paths).spec, { cgroups: cgroupLayoutForMounts(V2) });
    expect(steps.some((s) => ["join-user", "idmapped-overlay", "rebind-root"].includes(s.kind))).toBe(false);
    expect(steps.filter((s) => s.kind === "unshare")).toHaveLength(1);
  });

  test("exec joins the user namespace first, then the ones it owns", () => {
    const steps = planExec(7, [{ type: "user" }, { type: "mount" }, { type: "uts" }], { args: ["id"], env: [], cwd: "/", user: { uid: 0, gid: 0 } }, { closeStdin: true });
    expect(at(steps, (s) => s.kind === "join-user")).toBeLessThan(at(steps, (s) => s.kind === "join-namespaces"));
    expect(steps.find((s) => s.kind === "join-user")).toMatchObject({ path: "/proc/7/ns/user" });
    expect(planExec(7, [{ type: "mount" }], { args: ["id"], env: [], cwd: "/", user: { uid: 0, gid: 0 } }, { closeStdin: true }).some((s) => s.kind === "join-user")).toBe(false);
  });
});

describe("ids on disk and threads", () => {
  test("hostOwner: container ids as the host ids that stand for them; overflow when unmapped; themselves without a user namespace", () => {
    const s = spec();
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 1000 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 10 }];
    expect(hostOwner(s)(0, 0)).toEqual({ uid: 100000, gid: 200000 });
    expect(hostOwner(s)(999, 50)).toEqual({ uid: 100999, gid: 65534 });
    expect(hostOwner(specFromFlags(flags({ userns: undefined }), image, host, paths).spec)(5, 6)).toEqual({ uid: 5, gid: 6 });
  });
  test("threadCount reads /proc/self/status", () => {
    expect(threadCount("Name:\tbunbox\nThreads:\t1\nSigQ:\t0/1\n")).toBe(1);
    expect(threadCount("Threads:\t3\n")).toBe(3);
  });
});
