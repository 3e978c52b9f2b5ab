import { describe, expect, test } from "bun:test";
import { compileSeccomp } from "../../../src/linux/seccomp/compile.ts";
import { SeccompError } from "../../../src/linux/seccomp/errors.ts";
import type { Seccomp, SeccompOperator } from "../../../src/config/schema.ts";
import { runBpf } from "./bpf-interp.ts";
import { compileAndRun, runner } from "./helpers.ts";

const X86 = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"] as const;
const profile = (syscalls: Seccomp["syscalls"], extra: Partial<Seccomp> = {}): Seccomp =>
  ({ defaultAction: "SCMP_ACT_ERRNO", architectures: [...X86], syscalls, ...extra });

describe("argument comparisons on 64-bit values", () => {
  const M64 = (1n << 64n) - 1n;
  const values = [0n, 1n, 5n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x100000001n, 0x500000005n,
    0x8000000000000000n, 0xfffffffe00000000n, M64 - 1n, M64];
  const reference: Record<SeccompOperator, (a: bigint, v: bigint, v2: bigint) => boolean> = {
    SCMP_CMP_EQ: (a, v) => a === v,
    SCMP_CMP_NE: (a, v) => a !== v,
    SCMP_CMP_LT: (a, v) => a < v,
    SCMP_CMP_LE: (a, v) => a <= v,
    SCMP_CMP_GT: (a, v) => a > v,
    SCMP_CMP_GE: (a, v) => a >= v,
    SCMP_CMP_MASKED_EQ: (a, mask, datum) => (a & mask) === datum,
  };

  for (const op of Object.keys(reference) as SeccompOperator[]) {
    test(`${op}: every pair agrees with a 64-bit reference, on x86_64 and on i386 (low word)`, () => {
      for (const v of values) {
        const datum = op === "SCMP_CMP_MASKED_EQ" ? v & 0x0000000f0000000fn : 0n;
        // Values as bigint: the compiler takes them, and JSON numbers cannot hold them all.
        const f = compileAndRun(profile([
          { names: ["ioctl"], action: "SCMP_ACT_ALLOW", args: [{ index: 3, op, value: v as any, valueTwo: datum as any }] },
        ]));
        for (const a of values) {
          const want = reference[op](a, v, datum) ? "allow" : "errno 1";
          expect(`${op} ${a} ${v}: ${f.on("x86_64", "ioctl", [0, 0, 0, a])}`).toBe(`${op} ${a} ${v}: ${want}`);
          // i386 arguments are 32-bit: the kernel hands the filter a zero high word.
          const a32 = a & 0xffffffffn;
          const want32 = reference[op](a32, v, datum) ? "allow" : "errno 1";
          expect(`${op} i386 ${a32} ${v}: ${f.on("i386", "ioctl", [0, 0, 0, a32])}`).toBe(`${op} i386 ${a32} ${v}: ${want32}`);
        }
      }
    });
  }

  test("args of one rule are ANDed, rules for one syscall are ORed", () => {
    const f = compileAndRun(profile([
      { names: ["kill"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }, { index: 1, value: 9, op: "SCMP_CMP_EQ" }] },
      { names: ["kill"], action: "SCMP_ACT_ALLOW", args: [{ index: 1, value: 15, op: "SCMP_CMP_EQ" }] },
    ]));
    expect(f.on("x86_64", "kill", [1, 9])).toBe("allow");
    expect(f.on("x86_64", "kill", [2, 9])).toBe("errno 1");
    expect(f.on("x86_64", "kill", [1, 8])).toBe("errno 1");
    expect(f.on("x86_64", "kill", [7, 15])).toBe("allow");
  });

  test("conditional rules first (in order), then the rule without args, then the default", () => {
    const f = compileAndRun(profile([
      { names: ["socket"], action: "SCMP_ACT_ALLOW" },
      { names: ["socket"], action: "SCMP_ACT_ERRNO", errnoRet: 97, args: [{ index: 0, value: 40, op: "SCMP_CMP_EQ" }] },
      { names: ["socket"], action: "SCMP_ACT_TRAP", args: [{ index: 0, value: 30, op: "SCMP_CMP_GE" }] },
    ]));
    expect(f.on("x86_64", "socket", [2])).toBe("allow");
    expect(f.on("x86_64", "socket", [40])).toBe("errno 97");
    expect(f.on("x86_64", "socket", [41])).toBe("trap");
  });
});

describe("actions", () => {
  test.each([
    ["SCMP_ACT_ALLOW", undefined, 0x7fff0000],
    ["SCMP_ACT_ERRNO", undefined, 0x00050001],
    ["SCMP_ACT_ERRNO", 13, 0x0005000d],
    ["SCMP_ACT_KILL", undefined, 0],
    ["SCMP_ACT_KILL_THREAD", undefined, 0],
    ["SCMP_ACT_KILL_PROCESS", undefined, 0x80000000],
    ["SCMP_ACT_TRAP", undefined, 0x00030000],
    ["SCMP_ACT_TRACE", 7, 0x7ff00007],
    ["SCMP_ACT_LOG", undefined, 0x7ffc0000],
  ] as const)("%s (errnoRet %p) returns %p", (action, errnoRet, ret) => {
    const c = compileSeccomp(profile([{ names: ["getpid"], action, errnoRet }], { defaultAction: "SCMP_ACT_KILL_PROCESS" }), "x86_64");
    expect(runBpf(c.program, { nr: 39, arch: 0xc000003e })).toBe(ret);
  });

  test("defaultErrnoRet sets the default's errno", () => {
    const f = compileAndRun(profile([{ names: ["write"], action: "SCMP_ACT_ALLOW" }], { defaultErrnoRet: 13 }));
    expect(f.on("x86_64", "read")).toBe("errno 13");
  });

  test("SCMP_ACT_NOTIFY is refused clearly", () => {
    expect(() => compileSeccomp(profile([{ names: ["read"], action: "SCMP_ACT_NOTIFY" }]), "x86_64"))
      .toThrow(new SeccompError("syscalls.0.action: SCMP_ACT_NOTIFY is not supported (bunbox has no seccomp agent)"));
  });

  test("errnoRet beyond 16 bits is refused", () => {
    expect(() => compileSeccomp(profile([{ names: ["read"], action: "SCMP_ACT_ERRNO", errnoRet: 70000 }]), "x86_64"))
      .toThrow("syscalls.0.action: errnoRet 70000 does not fit in 16 bits");
  });

  test("flags become seccomp(2) bits", () => {
    expect(compileSeccomp(profile([], { flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"] }), "x86_64").flags).toBe(3);
  });
});

describe("arches", () => {
  test("only the native arch when none is listed: i386 and x32 are killed", () => {
    const f = compileAndRun(profile([{ names: ["read"], action: "SCMP_ACT_ALLOW" }], { architectures: undefined }));
    expect(f.on("x86_64", "read")).toBe("allow");
    expect(f.on("i386", "read")).toBe("kill_process");
    expect(f.on("x32", "read")).toBe("kill_process");
  });

  test("x32 numbers never reach x86_64 rules, even with a permissive default", () => {
    const f = compileAndRun({
      defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
      syscalls: [{ names: ["mount"], action: "SCMP_ACT_ERRNO" }],
    });
    expect(f.on("x86_64", "mount")).toBe("errno 1");
    expect(f.on("x86_64", "read")).toBe("allow");
    expect(f.on("x32", "mount")).toBe("kill_process");
  });

  test("a blocklist with x32 listed blocks the x32 number too", () => {
    const f = compileAndRun({ defaultAction: "SCMP_ACT_ALLOW", architectures: [...X86], syscalls: [{ names: ["mount"], action: "SCMP_ACT_ERRNO" }] });
    expect(f.on("x32", "mount")).toBe("errno 1");
    expect(f.on("i386", "mount")).toBe("errno 1");
    expect(f.on("x32", "read")).toBe("allow");
    expect(f.on("x86_64", 1000)).toBe("allow"); // permissive default: no ENOSYS rewrite
  });

  test("arches of another family are ignored", () => {
    const f = compileAndRun(profile([{ names: ["read"], action: "SCMP_ACT_ALLOW" }], { architectures: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_S390X"] }));
    expect(f.on("x86_64", "read")).toBe("allow");
    expect(f.on("aarch64", "read")).toBe("kill_process");
  });

  test("names unknown everywhere are listed, names known on one ABI are not", () => {
    const c = compileSeccomp(profile([{ names: ["read", "waitpid", "frobnicate", "constructor"], action: "SCMP_ACT_ALLOW" }]), "x86_64");
    expect(c.unknownNames).toEqual(["constructor", "frobnicate"]);
    expect(c.allowed).toBe(2);
  });

  test("no ENOSYS rewrite for an ABI the profile names nothing on", () => {
    const f = compileAndRun(profile([{ names: ["epoll_ctl_old"], action: "SCMP_ACT_ALLOW" }])); // x86_64 only
    expect(f.on("i386", 1000)).toBe("errno 1");
    expect(f.on("x86_64", 1000)).toBe("errno 38");
  });
});

describe("long programs", () => {
  test("300 rules with args on 300 syscalls (x86_64 + i386): long jumps, every verdict right", () => {
    const { X86_64 } = require("../../../src/linux/seccomp/tables/x86_64.ts");
    const rules = Object.entries(X86_64 as Record<string, number>)
      .filter(([, nr]) => nr < 320)
      .map(([name, nr]) => ({ names: [name], action: "SCMP_ACT_ALLOW" as const, args: [{ index: 1, value: nr * 7, op: "SCMP_CMP_EQ" as const }] }));
    expect(rules.length).toBeGreaterThan(300);
    const c = compileSeccomp(profile(rules, { architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"] }), "x86_64");
    const insns = c.program.length / 8;
    expect(insns).toBeGreaterThan(1000);
    expect(insns).toBeLessThanOrEqual(4096);
    const view = new DataView(c.program.buffer);
    let longJumps = 0;
    for (let i = 0; i < insns; i++) if (view.getUint16(i * 8, true) === 0x05 && view.getUint32(i * 8 + 4, true) > 255) longJumps++;
    expect(longJumps).toBeGreaterThan(0);
    for (const r of rules) {
      const nr = r.args[0]!.value / 7;
      expect(runBpf(c.program, { nr, arch: 0xc000003e, args: [0, nr * 7] })).toBe(0x7fff0000);
      expect(runBpf(c.program, { nr, arch: 0xc000003e, args: [0, nr * 7 + 1] })).toBe(0x00050001);
      expect(runBpf(c.program, { nr, arch: 0xc000003e, args: [0, 0x100000000 + nr * 7] })).toBe(0x00050001);
    }
    const on = runner(c.program);
    expect(on("i386", "write", [0, 1 * 7])).toBe("allow"); // the name's x86_64 value, on i386's number
    expect(on("i386", "write", [0, 4 * 7])).toBe("errno 1");
  });

  test("one syscall with 400 ORed rules (a body longer than 255)", () => {
    const rules = Array.from({ length: 400 }, (_, i) => ({
      names: ["ioctl"], action: "SCMP_ACT_ALLOW" as const, args: [{ index: 1, value: 0x5400 + i, op: "SCMP_CMP_EQ" as const }],
    }));
    const f = compileAndRun(profile(rules));
    for (const i of [0, 1, 200, 399]) expect(f.on("x86_64", "ioctl", [3, 0x5400 + i])).toBe("allow");
    expect(f.on("x86_64", "ioctl", [3, 0x5400 + 400])).toBe("errno 1");
    expect(f.on("i386", "ioctl", [3, 0x5400 + 399])).toBe("allow");
  });

  test("a filter beyond BPF_MAXINSNS is refused", () => {
    const args = [0, 1, 2, 3, 4, 5].map((index) => ({ index, value: 1, op: "SCMP_CMP_EQ" as const }));
    const rules = Array.from({ length: 300 }, () => ({ names: ["ioctl"], action: "SCMP_ACT_ALLOW" as const, args }));
    expect(() => compileSeccomp(profile(rules), "x86_64")).toThrow(/more than the kernel's 4096/);
  });
});
