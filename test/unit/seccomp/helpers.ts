// Shared helpers: run a compiled filter on a syscall by name, per ABI.
import { compileSeccomp } from "../../../src/linux/seccomp/compile.ts";
import { AARCH64 } from "../../../src/linux/seccomp/tables/aarch64.ts";
import { ARM } from "../../../src/linux/seccomp/tables/arm.ts";
import { I386 } from "../../../src/linux/seccomp/tables/i386.ts";
import { X32 } from "../../../src/linux/seccomp/tables/x32.ts";
import { X86_64 } from "../../../src/linux/seccomp/tables/x86_64.ts";
import type { Seccomp } from "../../../src/config/schema.ts";
import { runBpf, verdict } from "./bpf-interp.ts";

export const ABI = {
  x86_64: { audit: 0xc000003e, table: X86_64 },
  i386: { audit: 0x40000003, table: I386 },
  x32: { audit: 0xc000003e, table: X32 },
  aarch64: { audit: 0xc00000b7, table: AARCH64 },
  arm: { audit: 0x40000028, table: ARM },
} as const;
export type AbiName = keyof typeof ABI;

/** A runner for one program: `on("x86_64", "clone", [flags])` → "allow" / "errno 1" / ... */
export function runner(program: Uint8Array) {
  return (abi: AbiName, name: string | number, args: (number | bigint)[] = []) => {
    const a = ABI[abi];
    const nr = typeof name === "number" ? name : a.table[name];
    if (nr === undefined) throw new Error(`test: no ${name} on ${abi}`);
    return verdict(runBpf(program, { nr, arch: a.audit, args }));
  };
}

export function compileAndRun(s: Seccomp, native: "x86_64" | "aarch64" = "x86_64") {
  const c = compileSeccomp(s, native);
  return { ...c, on: runner(c.program) };
}
