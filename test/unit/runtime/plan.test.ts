import { describe, expect, test } from "bun:test";
import { specFromFlags, type RunFlags } from "../../../src/config/from-flags.ts";
import { planInit } from "../../../src/runtime/plan.ts";
import { stepLine } from "../../../src/runtime/narrate.ts";
import { cgroupLayoutForMounts } from "../../../src/runtime/create.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { golden } from "../../golden.ts";
import { kernelAtLeast } from "../../../src/host/probe.ts";
import { planExec } from "../../../src/runtime/exec.ts";

const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "", group: "" };
const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "" };
const paths = { id: "c0ffee".padEnd(64, "0"), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const flags = (over: Partial<RunFlags>): RunFlags => ({ env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [], ...over });

const HYBRID = parseCgroupHost(
  ["30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw", "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct", "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"].join("\n"),
  "4:memory:/user/1\n1:cpu,cpuacct:/\n0::/\n",
);
const V2 = parseCgroupHost("40 22 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice\n");

const render = (over: Partial<RunFlags>, cg = V2) =>
  planInit(specFromFlags(flags(over), image, host, paths).spec, { cgroups: cgroupLayoutForMounts(cg) }).map((s) => stepLine(s, { timing: false, color: false })).join("");

describe("spec → plan (golden)", () => {
  test("default busybox run on a cgroup v2 host", () => {
    expect(render({ command: ["sh", "-c", "echo hi"] })).toBe(golden("plan-default-v2.txt", render({ command: ["sh", "-c", "echo hi"] })));
  });
  test("hybrid host: one mount per v1 hierarchy plus the unified one", () => {
    const out = render({}, HYBRID);
    expect(out).toBe(golden("plan-default-hybrid.txt", out));
  });
  test("--read-only, -v, --tmpfs, -u, -w, --network host", () => {
    const out = render({ readOnly: true, volumes: ["/srv/data:/data:ro"], tmpfs: ["/scratch"], user: "1000:1000", workdir: "/data", network: "host" });
    expect(out).toBe(golden("plan-flags.txt", out));
  });
});

describe("the overlay root", () => {
  const overlayLine = (over: Partial<RunFlags>, volatileKernel: boolean) =>
    planInit(specFromFlags(flags(over), image, { ...host, overlayVolatile: volatileKernel }, paths).spec, { cgroups: cgroupLayoutForMounts(V2) })
      .map((s) => stepLine(s, { timing: false, color: false })).find((l) => l.includes('"overlay"'));
  test("--rm on a kernel that has it: volatile (no sync of an upper layer that is deleted at the end)", () => {
    expect(overlayLine({ remove: true }, true)).toContain('workdir=/c/work,volatile")');
  });
  test("kept containers, and kernels before 5.10, sync as always", () => {
    expect(overlayLine({}, true)).toContain('workdir=/c/work")');
    expect(overlayLine({ remove: true }, false)).toContain('workdir=/c/work")');
  });
  test("kernel release comparison", () => {
    expect([kernelAtLeast("6.1.0-18-amd64", 5, 10), kernelAtLeast("5.10.0", 5, 10), kernelAtLeast("5.4.0-150-generic", 5, 10), kernelAtLeast("4.19.1", 5, 10)]).toEqual([true, true, false, false]);
  });
});

describe("cgroup layout", () => {
  test("hybrid host parsed from mountinfo and /proc/self/cgroup", () => {
    expect(HYBRID.mode).toBe("hybrid");
    expect(HYBRID.hierarchies.map((h) => [h.version, h.mountpoint, h.options, h.current])).toEqual([
      [1, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct", "/"],
      [1, "/sys/fs/cgroup/memory", "memory", "/user/1"],
      [2, "/sys/fs/cgroup/unified", "", "/"],
    ]);
    expect(V2.mode).toBe("v2");
  });
});

describe("what the container does not inherit from bunbox (issue 14)", () => {
  const kinds = (steps: { kind: string }[]) => steps.map((s) => s.kind);
  const seccomp = { program: "", syscalls: 1, flags: 0 };

  test("a fresh session keyring, joined before the filter (which refuses keyctl), in create and exec", () => {
    const init = kinds(planInit(specFromFlags(flags({}), image, host, paths).spec, { cgroups: cgroupLayoutForMounts(V2) }, seccomp));
    const exec = kinds(planExec(1, [{ type: "mount" }], { args: ["sh"], env: [], cwd: "/", user: { uid: 0, gid: 0 } }, { closeStdin: true, seccomp }));
    for (const k of [init, exec]) {
      expect(k.filter((x) => x === "session-keyring")).toHaveLength(1);
      expect(k.indexOf("session-keyring")).toBeLessThan(k.indexOf("seccomp"));
    }
  });

  test("exec without -i: stdin is the host's /dev/null, opened before the container's mount namespace is joined", () => {
    const exec = kinds(planExec(1, [{ type: "mount" }], { args: ["sh"], env: [], cwd: "/", user: { uid: 0, gid: 0 } }, { closeStdin: true, seccomp }));
    expect(exec.slice(0, 2)).toEqual(["stdin-null", "join-namespaces"]);
    expect(exec.filter((k) => k === "stdin-null")).toHaveLength(1);
  });

  test("run and exec drop privileges in one order (one planner): user, capabilities, no_new_privs, the filter, exec", () => {
    const tail = ["set-user", "capabilities", "no-new-privs", "seccomp", "exec"];
    const user = { uid: 1000, gid: 1000 };
    const spec = specFromFlags(flags({}), image, host, paths).spec;
    spec.process = { ...spec.process!, user, noNewPrivileges: true };
    const init = kinds(planInit(spec, { cgroups: cgroupLayoutForMounts(V2) }, seccomp)).filter((k) => tail.includes(k));
    const exec = kinds(planExec(1, [{ type: "mount" }], { args: ["sh"], env: [], cwd: "/", user, noNewPrivileges: true }, { closeStdin: false, seccomp })).filter((k) => tail.includes(k));
    expect(init).toEqual(tail);
    expect(exec).toEqual(tail);
  });

  test("oomScoreAdj is always in a docker-style spec: 0 by default, as Docker writes it", () => {
    expect(specFromFlags(flags({}), image, host, paths).spec.process?.oomScoreAdj).toBe(0);
  });
});

describe("OCI conformance (issue 17)", () => {
  const SECCOMP = { program: "", syscalls: 3, flags: 0 };
  const oci = (edit: (s: ReturnType<typeof specFromFlags>["spec"]) => void) => {
    const { spec } = specFromFlags(flags({ command: ["sh"] }), image, host, paths);
    edit(spec);
    return spec;
  };
  const kinds = (steps: { kind: string }[]) => steps.map((s) => s.kind);

  test("the filter is the last step before exec; without no_new_privs the capability step holds CAP_SYS_ADMIN for it", () => {
    for (const nnp of [true, false]) {
      const steps = planInit(oci((s) => { s.process!.noNewPrivileges = nnp; }), { cgroups: cgroupLayoutForMounts(V2) }, SECCOMP);
      expect(kinds(steps).slice(-2)).toEqual(["seccomp", "exec"]);
      expect((steps.find((s) => s.kind === "capabilities") as { holdForFilter?: boolean }).holdForFilter).toBe(nnp ? undefined : true);
    }
    const exec = planExec(42, [{ type: "mount" }], { args: ["sh"], env: [], cwd: "/", user: { uid: 0, gid: 0 } }, { closeStdin: false, seccomp: SECCOMP });
    expect(kinds(exec).slice(-3)).toEqual(["capabilities", "seccomp", "exec"]);
    expect(exec.find((s) => s.kind === "capabilities")).toMatchObject({ holdForFilter: true });
  });

  test("no mount namespace: the runtime's joined, one private bind of the root, chroot instead of pivot_root, the host's propagation untouched", () => {
    const spec = oci((s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== "mount"); });
    const steps = planInit(spec, { cgroups: cgroupLayoutForMounts(V2), runtimeMountNs: "/proc/9/fd/7" });
    expect(steps[0]).toMatchObject({ kind: "join-namespaces", keepsRoot: true, namespaces: [{ type: "mount", path: "/proc/9/fd/7" }] });
    expect(steps.filter((s) => s.kind === "propagation" && s.target === "/")).toEqual([]);
    const rootfs = spec.root!.path;
    expect(steps.filter((s) => s.kind === "mount" && s.target === rootfs).map((s) => (s as { flags: number }).flags)).toEqual([0x1000 | 0x4000, 1 << 18]);
    expect(steps.find((s) => s.kind === "pivot-root")).toMatchObject({ chroot: true });
    // With its own mount namespace: no join, pivot_root
    const own = planInit(oci(() => {}), { cgroups: cgroupLayoutForMounts(V2), runtimeMountNs: "/proc/9/fd/7" });
    expect(own.some((s) => s.kind === "join-namespaces")).toBe(false);
    expect(own.find((s) => s.kind === "pivot-root")).not.toHaveProperty("chroot");
  });
});
