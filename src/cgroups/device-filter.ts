// cgroup v2 has no devices.allow/devices.deny: device access is decided by an eBPF program of
// type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup (what runc and crun do).
// This compiles an OCI linux.resources.devices list into that program. Pure: the bytes are loaded
// and attached by src/sys/bpf.ts.
//
// Semantics, as the v1 files give them when the rules are written in order: the last rule that
// matches a request decides; none matching means deny. An allow rule matches when the requested
// access is within its access letters; a deny rule matches when the request asks for any of its
// letters (so "deny c 1:3 w" after "allow a" refuses writes to /dev/null, not reads).
import type { LinuxResources } from "../config/schema.ts";

export type DeviceRule = NonNullable<LinuxResources["devices"]>[number];

/** struct bpf_cgroup_dev_ctx: access_type (access << 16 | type), major, minor. */
const CTX_ACCESS_TYPE = 0, CTX_MAJOR = 4, CTX_MINOR = 8;
/** BPF_DEVCG_DEV_* and BPF_DEVCG_ACC_* (include/uapi/linux/bpf.h). */
export const DEV_BLOCK = 1, DEV_CHAR = 2;
export const ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

// eBPF opcodes used (class | op | source)
const LDX_W = 0x61; // dst = *(u32 *)(src + off)
const AND_K = 0x57, RSH_K = 0x77, MOV_K = 0xb7, MOV_X = 0xbf; // 64-bit ALU
const JNE_K = 0x55, JEQ_K = 0x15, EXIT = 0x95;

export interface Insn { code: number; dst: number; src: number; off: number; imm: number }

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/** "rwm" letters → BPF_DEVCG_ACC_* bits; absent or empty means all three (as in the OCI spec). */
export function accessBits(access: string | undefined): number {
  if (!access) return ACC_MKNOD | ACC_READ | ACC_WRITE;
  return (access.includes("m") ? ACC_MKNOD : 0) | (access.includes("r") ? ACC_READ : 0) | (access.includes("w") ? ACC_WRITE : 0);
}

/** The program as instructions (for tests and --explain); `encodeProgram` gives the kernel's bytes. */
export function deviceFilterInsns(rules: readonly DeviceRule[]): Insn[] {
  // r2 = type, r3 = access, r4 = major, r5 = minor; r1 (the context) is free afterwards
  const out: Insn[] = [
    insn(LDX_W, 2, 1, CTX_ACCESS_TYPE, 0),
    insn(AND_K, 2, 0, 0, 0xffff),
    insn(LDX_W, 3, 1, CTX_ACCESS_TYPE, 0),
    insn(RSH_K, 3, 0, 0, 16),
    insn(LDX_W, 4, 1, CTX_MAJOR, 0),
    insn(LDX_W, 5, 1, CTX_MINOR, 0),
  ];
  // Last match wins: the rules are tested from the last to the first, each a block that either
  // returns its verdict or jumps to the next block
  for (const rule of [...rules].reverse()) {
    const block: Insn[] = [];
    const skips: Insn[] = []; // jumps to the end of this block, patched below
    const skip = (i: Insn) => { skips.push(i); block.push(i); };
    const type = rule.type ?? "a";
    if (type !== "a") skip(insn(JNE_K, 2, 0, 0, type === "b" ? DEV_BLOCK : DEV_CHAR));
    const bits = accessBits(rule.access);
    if (rule.allow) {
      // Within the allowed letters: no requested bit outside them
      if ((~bits & 7) !== 0) {
        block.push(insn(MOV_X, 1, 3, 0, 0), insn(AND_K, 1, 0, 0, ~bits & 7));
        skip(insn(JNE_K, 1, 0, 0, 0));
      }
    } else if (bits !== 7) {
      // Asks for one of the denied letters
      block.push(insn(MOV_X, 1, 3, 0, 0), insn(AND_K, 1, 0, 0, bits));
      skip(insn(JEQ_K, 1, 0, 0, 0));
    }
    if (rule.major !== undefined && rule.major !== -1) skip(insn(JNE_K, 4, 0, 0, rule.major));
    if (rule.minor !== undefined && rule.minor !== -1) skip(insn(JNE_K, 5, 0, 0, rule.minor));
    block.push(insn(MOV_K, 0, 0, 0, rule.allow ? 1 : 0), insn(EXIT, 0, 0, 0, 0));
    for (const j of skips) j.off = block.length - block.indexOf(j) - 1;
    out.push(...block);
    // A rule that matches every request ends the program: the verifier refuses unreachable code
    if (skips.length === 0) return out;
  }
  out.push(insn(MOV_K, 0, 0, 0, 0), insn(EXIT, 0, 0, 0, 0));
  return out;
}

/** struct bpf_insn, little-endian (x86_64, aarch64): code, dst:4 | src:4, s16 off, s32 imm. */
export function encodeProgram(insns: readonly Insn[]): Uint8Array {
  const buf = new Uint8Array(insns.length * 8);
  const view = new DataView(buf.buffer);
  insns.forEach((i, n) => {
    view.setUint8(n * 8, i.code);
    view.setUint8(n * 8 + 1, (i.src << 4) | i.dst);
    view.setInt16(n * 8 + 2, i.off, true);
    view.setInt32(n * 8 + 4, i.imm, true);
  });
  return buf;
}
