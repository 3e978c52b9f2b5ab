// The ABIs a filter can meet on each native architecture, and how the kernel tells them apart:
// seccomp_data.arch (an AUDIT_ARCH_* value) and, for x32, the syscall number's range.
import type { SeccompArch } from "../../config/schema.ts";
import { AARCH64 } from "./tables/aarch64.ts";
import { ARM } from "./tables/arm.ts";
import { I386 } from "./tables/i386.ts";
import { X32 } from "./tables/x32.ts";
import { X86_64 } from "./tables/x86_64.ts";

export type NativeArch = "x86_64" | "aarch64";

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;
export const AUDIT_ARCH_ARM = 0x40000028;
/** x32 syscalls arrive as AUDIT_ARCH_X86_64 with this bit set in the number. */
export const X32_SYSCALL_BIT = 0x40000000;

export interface Abi {
  arch: SeccompArch;
  audit: number;
  table: Readonly<Record<string, number>>;
  /** Syscall numbers this ABI owns under its audit arch: [lo, hi). */
  lo: number;
  hi: number;
  /** Arguments are 32-bit: the kernel zero-extends them, so only the low word is compared. */
  args32: boolean;
  /**
   * Numbers at or above this are arch-private calls outside the regular table (ARM's 0xf0000
   * range); they do not count when finding "the newest syscall the profile knows".
   */
  privateFrom: number;
}

const TOP = 2 ** 32;

const ABIS: Record<string, Abi> = {
  SCMP_ARCH_X86_64: { arch: "SCMP_ARCH_X86_64", audit: AUDIT_ARCH_X86_64, table: X86_64, lo: 0, hi: X32_SYSCALL_BIT, args32: false, privateFrom: TOP },
  // x32 passes 64-bit registers and the kernel reads them whole, so its arguments are compared on
  // 64 bits like x86_64's: comparing only the low word would let the high word slip past.
  SCMP_ARCH_X32: { arch: "SCMP_ARCH_X32", audit: AUDIT_ARCH_X86_64, table: X32, lo: X32_SYSCALL_BIT, hi: TOP, args32: false, privateFrom: TOP },
  SCMP_ARCH_X86: { arch: "SCMP_ARCH_X86", audit: AUDIT_ARCH_I386, table: I386, lo: 0, hi: TOP, args32: true, privateFrom: TOP },
  SCMP_ARCH_AARCH64: { arch: "SCMP_ARCH_AARCH64", audit: AUDIT_ARCH_AARCH64, table: AARCH64, lo: 0, hi: TOP, args32: false, privateFrom: TOP },
  SCMP_ARCH_ARM: { arch: "SCMP_ARCH_ARM", audit: AUDIT_ARCH_ARM, table: ARM, lo: 0, hi: TOP, args32: true, privateFrom: 0xf0000 },
};

/** What each native arch's kernel can run; the first is the native ABI itself. */
const FAMILY: Record<NativeArch, SeccompArch[]> = {
  x86_64: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  aarch64: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
};

/**
 * The ABIs a filter handles: the native one always (as libseccomp adds it), plus the listed ones
 * this kernel can run. Listed arches of other families can never reach this kernel, so they are
 * dropped rather than refused (Docker's profile lists every family's arches in archMap).
 */
export function filterAbis(native: NativeArch, listed: readonly SeccompArch[] = []): Abi[] {
  const family = FAMILY[native];
  if (!family) throw new Error(`seccomp: unsupported native arch ${native}`);
  return family.filter((a, i) => i === 0 || listed.includes(a)).map((a) => ABIS[a]!);
}

// Tables turned into Maps on first use (never at import): a Map lookup has no prototype to trip
// on ("constructor") and is about three times cheaper cold than Object.hasOwn on a 400-key object.
const maps = new WeakMap<Readonly<Record<string, number>>, Map<string, number>>();

/** The syscall number of `name` on `abi`, or undefined. */
export function syscallNumber(abi: Abi, name: string): number | undefined {
  let map = maps.get(abi.table);
  if (!map) maps.set(abi.table, (map = new Map(Object.entries(abi.table))));
  return map.get(name);
}
