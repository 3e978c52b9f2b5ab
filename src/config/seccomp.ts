// linux.seccomp (config-linux.md "Seccomp"), with libseccomp's names for actions, operators and
// architectures.
import * as v from "valibot";
import { absPath, arrayOf, intIn, obj, oneOf, str, strArray, uint32, uint64 } from "./valid.ts";

export const SECCOMP_ACTIONS = [
  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
] as const;

export const SECCOMP_OPERATORS = [
  "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ",
] as const;

// The spec's list up to RISCV64, then the ones libseccomp (and so runc) also knows.
export const SECCOMP_ARCHES = [
  "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
  "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
] as const;

export const SECCOMP_FLAGS = [
  "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
] as const;

/** Actions that carry an errno (errnoRet / defaultErrnoRet are only allowed with these). */
export const SECCOMP_ERRNO_ACTIONS: readonly SeccompAction[] = ["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"];

export const SeccompArgSchema = obj({
  index: intIn(0, 5), // a syscall has six argument registers
  value: uint64(),
  valueTwo: v.optional(uint64()),
  op: oneOf(SECCOMP_OPERATORS),
});

export const SyscallSchema = obj({
  names: v.pipe(strArray(), v.minLength(1, "must name at least one syscall")),
  action: oneOf(SECCOMP_ACTIONS),
  errnoRet: v.optional(uint32()),
  args: v.optional(arrayOf(SeccompArgSchema, "argument filters")),
});

export const SeccompSchema = obj({
  defaultAction: oneOf(SECCOMP_ACTIONS),
  defaultErrnoRet: v.optional(uint32()),
  architectures: v.optional(arrayOf(oneOf(SECCOMP_ARCHES), "architectures")),
  flags: v.optional(arrayOf(oneOf(SECCOMP_FLAGS), "seccomp flags")),
  listenerPath: v.optional(absPath("listenerPath")),
  listenerMetadata: v.optional(str()),
  syscalls: v.optional(arrayOf(SyscallSchema, "syscall rules")),
});

export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];
export type SeccompArch = (typeof SECCOMP_ARCHES)[number];
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];
export type SeccompArg = v.InferOutput<typeof SeccompArgSchema>;
export type Syscall = v.InferOutput<typeof SyscallSchema>;
export type Seccomp = v.InferOutput<typeof SeccompSchema>;
