// Docker's flags → process.apparmorProfile → the "apparmor" step, on a fake host with AppArmor
// and on one without: where the step sits in the plan, and what --explain says of it.
import { describe, expect, test } from "bun:test";
import { specFromFlags, appArmorProfile, type RunFlags } from "../../../src/config/from-flags.ts";
import { parseSecurityOpts } from "../../../src/config/security-opts.ts";
import { parseSpec } from "../../../src/config/schema.ts";
import { planInit } from "../../../src/runtime/plan.ts";
import { planExec } from "../../../src/runtime/exec.ts";
import { stepLine } from "../../../src/runtime/narrate.ts";
import { cgroupLayoutForMounts } from "../../../src/runtime/create.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { appArmorHost } from "../../../src/host/apparmor.ts";
import { fakeHost, APPARMOR_HOST } from "./fake-host.ts";

const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "", group: "" };
const paths = { id: "c0ffee".padEnd(64, "0"), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const V2 = { cgroups: cgroupLayoutForMounts(parseCgroupHost("40 22 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n")) };
const SECCOMP = { program: "", syscalls: 1, flags: 0 };

/** As `bunbox run` builds it: the host's AppArmor read through the probe, like wiring does. */
function spec(securityOpts: string[], over: Partial<RunFlags> = {}, files: Record<string, string | null> = APPARMOR_HOST) {
  const security = parseSecurityOpts(securityOpts);
  const flags: RunFlags = { env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [], noNewPrivileges: security.noNewPrivileges, apparmor: security.apparmor, ...over };
  const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "", appArmor: appArmorHost(fakeHost(files)).enabled };
  return specFromFlags(flags, image, host, paths).spec;
}
const kinds = (steps: { kind: string }[]) => steps.map((s) => s.kind);

describe("--security-opt apparmor", () => {
  test.each([
    [["apparmor=unconfined"], { kind: "unconfined" }],
    [["apparmor=my-nginx"], { kind: "profile", name: "my-nginx" }],
    [["apparmor:my-nginx"], { kind: "profile", name: "my-nginx" }],
    [[], { kind: "default" }],
  ])("%j", (opts, want) => expect(parseSecurityOpts(opts as string[]).apparmor).toEqual(want as never));
  test("not a profile name", () => {
    expect(() => parseSecurityOpts(["apparmor=a b"])).toThrow(`invalid --security-opt "apparmor=a b": not an AppArmor profile name`);
  });
});

describe("flags → process.apparmorProfile, as Docker's daemon writes it", () => {
  test.each([
    // choice, privileged, host has AppArmor → profile
    ["default", false, true, "bunbox-default"],
    ["default", true, true, "unconfined"],
    ["default", false, false, undefined],
    ["default", true, false, undefined],
    ["unconfined", false, true, "unconfined"],
    ["unconfined", false, false, "unconfined"],
    ["my-nginx", true, true, "my-nginx"],
  ])("%s, privileged %s, AppArmor %s → %s", (choice, privileged, host, want) => {
    const c = choice === "default" || choice === "unconfined" ? { kind: choice } as const : { kind: "profile", name: choice } as const;
    expect(appArmorProfile(c, privileged as boolean, host as boolean).apparmorProfile).toBe(want as string | undefined);
  });
  test("a named profile on a host without AppArmor: one clear line", () => {
    expect(() => spec(["apparmor=my-nginx"], {}, {})).toThrow("--security-opt apparmor=my-nginx: AppArmor is not enabled on this host, so no profile can be applied (drop the option, or use apparmor=unconfined)");
  });
  test("the spec passes the schema", () => {
    expect(parseSpec(spec([])).process!.apparmorProfile).toBe("bunbox-default");
    expect(spec([], {}, {}).process!.apparmorProfile).toBeUndefined();
  });
});

describe("the plan", () => {
  test("host with AppArmor: the profile after the filesystem, before the session, the filter and exec", () => {
    const steps = planInit(spec([]), V2, SECCOMP);
    const at = (k: string) => kinds(steps).lastIndexOf(k);
    expect(kinds(steps).filter((k) => k === "apparmor")).toHaveLength(1);
    expect(at("apparmor")).toBeGreaterThan(at("pivot-root"));
    expect(at("apparmor")).toBeGreaterThan(at("mask"));
    expect(kinds(steps).slice(at("apparmor"))).toEqual(["apparmor", "session-keyring", "new-session", "chdir", "umask", "set-user", "capabilities", "stdin-null", "seccomp", "exec"]);
    expect(stepLine(steps[at("apparmor")]!, { timing: false, color: false })).toBe(
      "security    apparmor: exec bunbox-default (write /proc/thread-self/attr/apparmor/exec)  # confined by the AppArmor profile bunbox-default from execve on (mounts, kernel knobs in /proc and /sys denied)\n");
  });
  test("a foreground run (dies with its bunbox): the profile entered at once, so that execve keeps the parent-death signal", () => {
    // AppArmor clears the parent-death signal of a task whose label changes at execve: a run
    // killed with -9 left its container running (seen in the systemd VM)
    const steps = planInit(spec([]), V2, SECCOMP, { dieWithParent: true });
    const at = kinds(steps).indexOf("apparmor");
    expect(steps[at]).toMatchObject({ kind: "apparmor", profile: "bunbox-default", now: true });
    expect(at).toBeLessThan(kinds(steps).indexOf("parent-death-signal"));
    expect(stepLine(steps[at]!, { timing: false, color: false })).toBe(
      "security    apparmor: changeprofile bunbox-default (write /proc/thread-self/attr/apparmor/current)  # confined by the AppArmor profile bunbox-default from here on, so that execve keeps the parent-death signal (mounts, kernel knobs in /proc and /sys denied)\n");
    // --init: this stage stays PID 1 and never execs, so it keeps the signal; its child enters at execve
    const init = planInit(spec([], { init: true } as Partial<RunFlags>), V2, SECCOMP, { dieWithParent: true });
    expect(init.find((st) => st.kind === "apparmor")).not.toHaveProperty("now");
    // -d: nothing to die with, the profile at execve as before
    expect(planInit(spec([]), V2, SECCOMP).find((st) => st.kind === "apparmor")).not.toHaveProperty("now");
  });
  test("with no-new-privileges the filter moves last; the profile stays before no_new_privs", () => {
    const steps = kinds(planInit(spec(["no-new-privileges"]), V2, SECCOMP));
    expect(steps.slice(steps.indexOf("apparmor"))).toEqual(["apparmor", "session-keyring", "new-session", "chdir", "umask", "set-user", "capabilities", "no-new-privs", "stdin-null", "seccomp", "exec"]);
  });
  test("host without AppArmor, --privileged, or apparmor=unconfined: no step, the same plan as before", () => {
    const none = planInit(spec([], {}, {}), V2, SECCOMP);
    expect(kinds(none)).not.toContain("apparmor");
    expect(kinds(planInit(spec([], { privileged: true }), V2))).not.toContain("apparmor");
    const unconfined = planInit(spec(["apparmor=unconfined"]), V2, SECCOMP);
    expect(kinds(unconfined)).toEqual(kinds(none));
  });
  test("bunbox exec: the container's profile, after joining its namespaces, before the filter", () => {
    const proc = { args: ["sh"], env: [], cwd: "/", user: { uid: 0, gid: 0 } };
    const steps = kinds(planExec(42, [{ type: "mount" }, { type: "pid" }], proc, { closeStdin: true, seccomp: SECCOMP, apparmor: "bunbox-default" }));
    expect(steps).toEqual(["stdin-null", "join-namespaces", "apparmor", "session-keyring", "new-session", "chdir", "umask", "set-user", "capabilities", "seccomp", "exec"]);
    expect(kinds(planExec(42, [{ type: "mount" }], proc, { closeStdin: true, apparmor: "unconfined" }))).not.toContain("apparmor");
  });
});
