// --security-opt seccomp=… → config.json's linux.seccomp, as Docker's daemon writes it.
import { describe, expect, test } from "bun:test";
import { seccompFromFlags } from "../../../src/config/seccomp-from-flags.ts";
import { defaultSeccomp } from "../../../src/config/docker-seccomp.ts";
import { computeCapabilities } from "../../../src/config/capabilities.ts";
import { UsageError } from "../../../src/config/errors.ts";

const noFile = (path: string): string => { throw new Error(`read ${path}`); };
const profile = JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW" }, { names: ["ptrace"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_PTRACE"] } }] });

describe("the seccomp section from the flags", () => {
  test("unconfined, or --privileged: none, and no file is read", async () => {
    expect(await seccompFromFlags({ kind: "unconfined" }, {}, "x86_64", noFile)).toBeUndefined();
    expect(await seccompFromFlags({ kind: "file", path: "/p.json" }, { privileged: true }, "x86_64", noFile)).toBeUndefined();
  });

  test("by default: Docker's profile for the container's capabilities", async () => {
    const flags = { capAdd: ["SYS_PTRACE"] };
    expect(await seccompFromFlags({ kind: "default" }, flags, "aarch64", noFile)).toEqual(defaultSeccomp("aarch64", computeCapabilities(["SYS_PTRACE"], [], false)));
  });

  test("a profile file: read through the caller, its rules resolved for the capabilities", async () => {
    const names = async (capAdd: string[]) => (await seccompFromFlags({ kind: "file", path: "/p.json" }, { capAdd }, "x86_64", () => profile))!.syscalls!.flatMap((s) => s.names);
    expect(await names([])).toEqual(["read"]);
    expect(await names(["SYS_PTRACE"])).toEqual(["read", "ptrace"]);
  });

  test("a file that is not JSON: one line naming it", async () => {
    const p = seccompFromFlags({ kind: "file", path: "/p.json" }, {}, "x86_64", () => "{nope");
    await expect(p).rejects.toBeInstanceOf(UsageError);
    await expect(seccompFromFlags({ kind: "file", path: "/p.json" }, {}, "x86_64", () => "{nope")).rejects.toThrow(/^seccomp profile \/p\.json: not valid JSON/);
  });
});
