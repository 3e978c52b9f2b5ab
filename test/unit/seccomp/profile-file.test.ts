import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileSeccomp } from "../../../src/linux/seccomp/compile.ts";
import { dockerProfileToOci } from "../../../src/config/docker-seccomp-profile.ts";
import { SeccompError, parseSeccompProfile } from "../../../src/config/docker-seccomp-file.ts";
import { runner } from "./helpers.ts";

const FIXTURES = join(import.meta.dir, "../../../fixtures/seccomp");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));

function error(json: unknown): string {
  try {
    parseSeccompProfile(json, "p.json");
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(SeccompError);
    return (e as Error).message;
  }
}

const base = { defaultAction: "SCMP_ACT_ERRNO" };
const call = (c: object) => ({ ...base, syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW" }, c] });

describe("parse errors name the file and the JSON path", () => {
  test.each([
    [{ ...base, syscalls: [{}, {}, {}, { names: ["x"], action: "SCMP_ACT_NOPE" }].map((s, i) => (i < 3 ? { names: ["read"], action: "SCMP_ACT_ALLOW" } : s)) },
      'seccomp profile p.json: syscalls.3.action: invalid value "SCMP_ACT_NOPE"'],
    [[], "seccomp profile p.json: expected an object, got []"],
    ["{}", 'seccomp profile p.json: expected an object, got "{}"'],
    [{}, "seccomp profile p.json: defaultAction: is required"],
    [{ defaultAction: 3 }, "seccomp profile p.json: defaultAction: invalid value 3"],
    [{ ...base, defaultErrnoRet: -1 }, "seccomp profile p.json: defaultErrnoRet: expected a uint32, got -1"],
    [{ ...base, architectures: ["SCMP_ARCH_X86_64", "x86"] }, 'seccomp profile p.json: architectures.1: invalid value "x86"'],
    [{ ...base, archMap: [{ architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_PDP11"] }] },
      'seccomp profile p.json: archMap.0.subArchitectures.0: invalid value "SCMP_ARCH_PDP11"'],
    [{ ...base, architectures: ["SCMP_ARCH_X86"], archMap: [{ architecture: "SCMP_ARCH_X86_64" }] },
      "seccomp profile p.json: use either 'architectures' or 'archMap', not both"],
    [{ ...base, flags: ["SECCOMP_FILTER_FLAG_FAST"] }, 'seccomp profile p.json: flags.0: invalid value "SECCOMP_FILTER_FLAG_FAST"'],
    [{ ...base, syscalls: {} }, "seccomp profile p.json: syscalls: expected an array, got {}"],
    [call({ action: "SCMP_ACT_ALLOW" }), "seccomp profile p.json: syscalls.1: names no syscall (expected 'names' or 'name')"],
    [call({ names: ["a"], name: "b", action: "SCMP_ACT_ALLOW" }), "seccomp profile p.json: syscalls.1: use either 'name' or 'names', not both"],
    [call({ names: ["a", 7], action: "SCMP_ACT_ALLOW" }), "seccomp profile p.json: syscalls.1.names.1: expected a string, got 7"],
    [call({ names: ["a"], action: "SCMP_ACT_ERRNO", errnoRet: 1.5 }), "seccomp profile p.json: syscalls.1.errnoRet: expected a uint32, got 1.5"],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", args: [{ index: 6, value: 1, op: "SCMP_CMP_EQ" }] }),
      "seccomp profile p.json: syscalls.1.args.0.index: expected an argument index (0 to 5), got 6"],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: -1, op: "SCMP_CMP_EQ" }] }),
      "seccomp profile p.json: syscalls.1.args.0.value: expected a uint64, got -1"],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_LIKE" }] }),
      'seccomp profile p.json: syscalls.1.args.0.op: invalid value "SCMP_CMP_LIKE"'],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_EQ" }] }),
      "seccomp profile p.json: syscalls.1.args.0.value: is required"],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", includes: { caps: "CAP_SYS_ADMIN" } }),
      'seccomp profile p.json: syscalls.1.includes.caps: expected an array, got "CAP_SYS_ADMIN"'],
    [call({ names: ["a"], action: "SCMP_ACT_ALLOW", excludes: { minKernel: "four" } }),
      'seccomp profile p.json: syscalls.1.excludes.minKernel: invalid kernel version "four"'],
  ])("%j", (json, message) => expect(error(json)).toBe(message));
});

describe("accepted formats", () => {
  test("plain OCI linux.seccomp", () => {
    const p = parseSeccompProfile(fixture("oci.json"), "oci.json");
    const oci = dockerProfileToOci(p, { arch: "x86_64", capabilities: [] });
    expect(oci.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]);
    const on = runner(compileSeccomp(oci, "x86_64").program);
    expect(on("x86_64", "read")).toBe("allow");
    expect(on("x86_64", "mount")).toBe("errno 13");
    expect(on("x86_64", "kill", [1, 9])).toBe("allow");
    expect(on("x86_64", "kill", [1, 15])).toBe("errno 13");
  });

  test("Docker format: name, archMap, includes/excludes, comments, nulls", () => {
    const p = parseSeccompProfile(fixture("docker.json"), "docker.json");
    const plain = dockerProfileToOci(p, { arch: "x86_64", capabilities: ["CAP_CHOWN"] });
    expect(plain.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(plain.syscalls!.flatMap((s) => s.names)).toEqual(["read", "write", "exit_group", "arch_prctl"]);
    const admin = dockerProfileToOci(p, { arch: "aarch64", capabilities: ["CAP_SYS_ADMIN"] });
    expect(admin.architectures).toEqual(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
    expect(admin.syscalls!.flatMap((s) => s.names)).toEqual(["read", "write", "exit_group", "mount"]);
  });

  test("unknown keys are ignored, as Docker's JSON decoder does", () => {
    expect(error({ ...base, comment: "x", syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", whatever: 1 }] })).toBe("ok");
  });
});
