// The cgroup v2 device filter, run through a small interpreter of the eBPF instructions it uses
// (the kernel's verifier and the real check run in the v2 VM: test/e2e/cgroups.test.ts).
import { describe, expect, test } from "bun:test";
import { deviceFilterInsns, encodeProgram, DEV_BLOCK, DEV_CHAR, ACC_MKNOD, ACC_READ, ACC_WRITE, type DeviceRule, type Insn } from "../../../src/cgroups/device-filter.ts";
import { DEVICE_RULES } from "../../../src/config/docker-defaults.ts";

interface Request { type: "b" | "c"; major: number; minor: number; access: string }

/** Runs the program on struct bpf_cgroup_dev_ctx; 1 allows, 0 refuses. */
function run(insns: Insn[], req: Request): number {
  const access = (req.access.includes("m") ? ACC_MKNOD : 0) | (req.access.includes("r") ? ACC_READ : 0) | (req.access.includes("w") ? ACC_WRITE : 0);
  const ctx = [(access << 16) | (req.type === "b" ? DEV_BLOCK : DEV_CHAR), req.major, req.minor];
  const r: number[] = new Array(11).fill(0);
  for (let pc = 0, steps = 0; pc < insns.length; pc++) {
    if (++steps > 10_000) throw new Error("no exit");
    const i = insns[pc]!;
    switch (i.code) {
      case 0x61: expect(i.src).toBe(1); r[i.dst] = ctx[i.off / 4]!; break; // ldxw from the context (r1)
      case 0x57: r[i.dst] = r[i.dst]! & i.imm; break;
      case 0x77: r[i.dst] = r[i.dst]! >>> i.imm; break;
      case 0xb7: r[i.dst] = i.imm; break;
      case 0xbf: r[i.dst] = r[i.src]!; break;
      case 0x55: if (r[i.dst] !== i.imm) pc += i.off; break;
      case 0x15: if (r[i.dst] === i.imm) pc += i.off; break;
      case 0x95: return r[0]!;
      default: throw new Error(`opcode ${i.code.toString(16)} not expected`);
    }
  }
  throw new Error("fell off the end");
}

/** The kernel's verifier refuses a program with an instruction no path reaches (check_cfg). */
function unreachable(insns: Insn[]): number[] {
  const seen = new Set<number>();
  const todo = [0];
  while (todo.length) {
    const pc = todo.pop()!;
    if (seen.has(pc) || pc >= insns.length) continue;
    seen.add(pc);
    const i = insns[pc]!;
    if (i.code === 0x95) continue;
    todo.push(pc + 1);
    if (i.code === 0x55 || i.code === 0x15) todo.push(pc + 1 + i.off);
  }
  return insns.map((_, n) => n).filter((n) => !seen.has(n));
}

const verdicts = (rules: readonly DeviceRule[], reqs: string[]) => {
  const insns = deviceFilterInsns(rules);
  return Object.fromEntries(reqs.map((s) => {
    const [type, nums, access] = s.split(" ");
    const [major, minor] = nums!.split(":").map(Number);
    return [s, run(insns, { type: type as "b" | "c", major: major!, minor: minor!, access: access! }) ? "allow" : "deny"];
  }));
};

describe("device filter", () => {
  test("Docker's default rules: the standard nodes and ptys open, mknod of anything, nothing else", () => {
    expect(verdicts(DEVICE_RULES as DeviceRule[], [
      "c 1:3 rw", "c 1:5 r", "c 1:7 w", "c 1:8 r", "c 1:9 r", "c 5:0 rw", "c 5:1 rw", "c 5:2 rw", "c 136:7 rw",
      "b 8:0 m", "c 10:200 m",
      "b 8:0 r", "b 8:0 w", "c 10:200 rw", "c 4:1 w", "c 1:1 r", "b 7:0 r",
    ])).toEqual({
      "c 1:3 rw": "allow", "c 1:5 r": "allow", "c 1:7 w": "allow", "c 1:8 r": "allow", "c 1:9 r": "allow",
      "c 5:0 rw": "allow", "c 5:1 rw": "allow", "c 5:2 rw": "allow", "c 136:7 rw": "allow",
      "b 8:0 m": "allow", "c 10:200 m": "allow",
      "b 8:0 r": "deny", "b 8:0 w": "deny", "c 10:200 rw": "deny", "c 4:1 w": "deny", "c 1:1 r": "deny", "b 7:0 r": "deny",
    });
  });

  test("--privileged (allow a rwm) allows everything; no rules at all refuse everything", () => {
    const reqs = ["b 8:0 rw", "c 10:200 r", "c 1:3 m"];
    expect(Object.values(verdicts([{ allow: true, access: "rwm" }], reqs))).toEqual(["allow", "allow", "allow"]);
    expect(Object.values(verdicts([], reqs))).toEqual(["deny", "deny", "deny"]);
  });

  test("the last matching rule decides; an allow covers only its letters, a deny refuses any of its letters", () => {
    const rules: DeviceRule[] = [
      { allow: false, access: "rwm" },
      { allow: true, type: "c", major: 1, minor: -1, access: "r" },
      { allow: false, type: "c", major: 1, minor: 5 },
      { allow: true, type: "b", access: "rwm" },
      { allow: false, type: "b", major: 8, minor: 0, access: "w" },
    ];
    expect(verdicts(rules, ["c 1:3 r", "c 1:3 w", "c 1:3 rw", "c 1:5 r", "b 8:0 r", "b 8:0 rw", "b 8:1 w", "c 2:0 r"])).toEqual({
      "c 1:3 r": "allow", "c 1:3 w": "deny", "c 1:3 rw": "deny", "c 1:5 r": "deny",
      "b 8:0 r": "allow", "b 8:0 rw": "deny", "b 8:1 w": "allow", "c 2:0 r": "deny",
    });
  });

  test("every instruction is reachable (a catch-all rule ends the program)", () => {
    for (const rules of [DEVICE_RULES as DeviceRule[], [{ allow: true, access: "rwm" }], [], [{ allow: false, type: "c", major: 1, minor: 3, access: "w" }, { allow: true }]]) {
      expect(unreachable(deviceFilterInsns(rules))).toEqual([]);
    }
  });

  test("encoded as struct bpf_insn: code, src<<4|dst, off, imm (little-endian)", () => {
    const bytes = encodeProgram(deviceFilterInsns([]));
    expect(bytes.length).toBe(8 * 8);
    expect([...bytes.subarray(0, 8)]).toEqual([0x61, 0x12, 0, 0, 0, 0, 0, 0]); // r2 = *(u32 *)(r1 + 0)
    expect([...bytes.subarray(8, 16)]).toEqual([0x57, 0x02, 0, 0, 0xff, 0xff, 0, 0]); // r2 &= 0xffff
    expect([...bytes.subarray(56, 64)]).toEqual([0x95, 0, 0, 0, 0, 0, 0, 0]); // exit
  });
});
