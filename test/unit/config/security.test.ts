import { describe, expect, test } from "bun:test";
import { computeCapabilities, ALL_CAPS } from "../../../src/config/capabilities.ts";
import { parseSecurityOpts } from "../../../src/config/security-opts.ts";
import { capMask } from "../../../src/linux/process/capabilities.ts";

const hex = (caps: string[]) => capMask(caps).toString(16).padStart(16, "0");

describe("--cap-add / --cap-drop / --privileged", () => {
  test.each([
    [[], [], false, "00000000a80425fb"],
    [["SYS_ADMIN"], ["NET_RAW"], false, "00000000a82405fb"],
    [["cap_sys_admin"], [], false, "00000000a82425fb"],
    [[], ["ALL"], false, "0000000000000000"],
    [["NET_ADMIN"], ["ALL"], false, "0000000000001000"],
    [["ALL"], ["SYS_ADMIN"], false, (capMask(ALL_CAPS) & ~(1n << 21n)).toString(16).padStart(16, "0")],
    [[], [], true, capMask(ALL_CAPS).toString(16).padStart(16, "0")],
  ])("add %j drop %j privileged %s → %s", (add, drop, priv, want) => {
    expect(hex(computeCapabilities(add as string[], drop as string[], priv as boolean))).toBe(want as string);
  });
  test("unknown names are one clear error", () => {
    expect(() => computeCapabilities(["FOO"], [], false)).toThrow(`unknown capability: "FOO" (see capabilities(7) for the names)`);
  });
});

describe("--security-opt", () => {
  test.each([
    [["no-new-privileges"], { noNewPrivileges: true, seccomp: { kind: "default" }, apparmor: { kind: "default" } }],
    [["no-new-privileges:true", "seccomp=unconfined"], { noNewPrivileges: true, seccomp: { kind: "unconfined" }, apparmor: { kind: "default" } }],
    [["no-new-privileges=false", "seccomp:/p.json", "apparmor=unconfined"], { noNewPrivileges: false, seccomp: { kind: "file", path: "/p.json" }, apparmor: { kind: "unconfined" } }],
  ])("%j", (opts, want) => expect(parseSecurityOpts(opts as string[])).toEqual(want as never));
  test.each([
    ["no-new-privileges=maybe", "invalid --security-opt no-new-privileges=maybe: no-new-privileges takes true or false"],
    ["bogus", "invalid --security-opt: bogus (use no-new-privileges, seccomp=unconfined, seccomp=PROFILE.json or apparmor=PROFILE|unconfined)"],
    ["label=disable", "--security-opt label=disable: bunbox does not use SELinux (seccomp, AppArmor, capabilities and no-new-privileges are available)"],
  ])("%s", (opt, message) => expect(() => parseSecurityOpts([opt])).toThrow(message));
});
