// Code for one argument comparison (libseccomp's SCMP_CMP_* on a 64-bit argument).
// Classic BPF sees 32-bit words, so a 64-bit comparison is done on the high word first and on the
// low word only when the high words are equal. On 32-bit ABIs (i386, arm) the kernel zero-extends
// arguments, so the high word is known to be 0 and its part of the comparison is decided here.
import type { SeccompOperator } from "../../config/schema.ts";
import { type Assembler, JEQ, JGE, JGT, type Label } from "./asm.ts";
import { SeccompError } from "./errors.ts";

const TWO_32 = 2 ** 32;
const TWO_64 = 2 ** 64;

/** seccomp_data.args[i]: low word at 16 + 8i, high word after it (little endian). */
const argLo = (index: number) => 16 + 8 * index;
const argHi = (index: number) => 20 + 8 * index;

export interface Word64 { hi: number; lo: number }

/**
 * Splits a uint64 from JSON. JSON numbers are doubles: 18446744073709551615 (the usual "-1")
 * arrives as 2^64, which is read as the all-ones value it was meant to be.
 */
export function split64(value: number | bigint, where: string): Word64 {
  if (typeof value === "bigint") {
    if (value < 0n || value >= 1n << 64n) throw new SeccompError(`${where}: ${value} is not a uint64`);
    return { hi: Number(value >> 32n), lo: Number(value & 0xffffffffn) };
  }
  if (!Number.isInteger(value) || value < 0 || value > TWO_64) {
    throw new SeccompError(`${where}: ${value} is not a uint64`);
  }
  if (value === TWO_64) return { hi: 0xffffffff, lo: 0xffffffff };
  return { hi: Math.floor(value / TWO_32), lo: value % TWO_32 };
}

export interface ArgCheck {
  index: number;
  op: SeccompOperator;
  value: Word64; // the mask for MASKED_EQ
  valueTwo: Word64; // the datum for MASKED_EQ
}

/** Emits code that goes to `pass` when the argument satisfies `c`, else to `fail`. */
export function emitArgCheck(asm: Assembler, c: ArgCheck, args32: boolean, pass: Label, fail: Label): void {
  const lo = asm.label();
  if (args32) {
    const next = staticHigh(c);
    if (next !== "lo") return asm.ja(next === "pass" ? pass : fail);
  } else {
    emitHigh(asm, c, lo, pass, fail);
  }
  asm.bind(lo);
  emitLow(asm, c, pass, fail);
}

/** Outcome of the high-word part when the argument's high word is 0. */
function staticHigh(c: ArgCheck): "pass" | "fail" | "lo" {
  const vh = c.value.hi;
  switch (c.op) {
    case "SCMP_CMP_EQ": case "SCMP_CMP_GT": case "SCMP_CMP_GE": return vh === 0 ? "lo" : "fail";
    case "SCMP_CMP_NE": case "SCMP_CMP_LT": case "SCMP_CMP_LE": return vh === 0 ? "lo" : "pass";
    case "SCMP_CMP_MASKED_EQ": return c.valueTwo.hi === 0 ? "lo" : "fail"; // 0 & mask == 0
  }
}

function emitHigh(asm: Assembler, c: ArgCheck, lo: Label, pass: Label, fail: Label): void {
  const vh = c.value.hi;
  if (c.op === "SCMP_CMP_MASKED_EQ") {
    // A mask with no high bits makes the high word irrelevant (clone's namespace-flag check).
    if (vh === 0) return c.valueTwo.hi === 0 ? undefined : asm.ja(fail);
    asm.ld(argHi(c.index));
    if (vh !== 0xffffffff) asm.and(vh);
    return asm.jump(JEQ, c.valueTwo.hi, lo, fail);
  }
  asm.ld(argHi(c.index));
  const equalHigh = asm.label();
  switch (c.op) {
    case "SCMP_CMP_EQ": return asm.jump(JEQ, vh, lo, fail);
    case "SCMP_CMP_NE": return asm.jump(JEQ, vh, lo, pass);
    case "SCMP_CMP_GT": case "SCMP_CMP_GE":
      asm.jump(JGT, vh, pass, equalHigh);
      asm.bind(equalHigh);
      return asm.jump(JEQ, vh, lo, fail);
    case "SCMP_CMP_LT": case "SCMP_CMP_LE":
      asm.jump(JGT, vh, fail, equalHigh);
      asm.bind(equalHigh);
      return asm.jump(JEQ, vh, lo, pass);
  }
}

/** The low-word comparison, reached only when the high words decide nothing. */
function emitLow(asm: Assembler, c: ArgCheck, pass: Label, fail: Label): void {
  const vl = c.value.lo;
  if (c.op !== "SCMP_CMP_MASKED_EQ") asm.ld(argLo(c.index));
  switch (c.op) {
    case "SCMP_CMP_EQ": return asm.jump(JEQ, vl, pass, fail);
    case "SCMP_CMP_NE": return asm.jump(JEQ, vl, fail, pass);
    case "SCMP_CMP_GT": return asm.jump(JGT, vl, pass, fail);
    case "SCMP_CMP_GE": return asm.jump(JGE, vl, pass, fail);
    case "SCMP_CMP_LT": return asm.jump(JGE, vl, fail, pass);
    case "SCMP_CMP_LE": return asm.jump(JGT, vl, fail, pass);
    case "SCMP_CMP_MASKED_EQ":
      asm.ld(argLo(c.index));
      if (vl !== 0xffffffff) asm.and(vl);
      return asm.jump(JEQ, c.valueTwo.lo, pass, fail);
  }
}
