#!/usr/bin/env bun
// Generates src/linux/seccomp/tables/*.ts (syscall name → number per ABI) from the Linux UAPI
// headers in Debian's cross linux-libc-dev packages. Run once when the kernel headers move:
//
//   bun scripts/gen-syscall-tables.ts
//
// The `_all.deb` cross packages are used for every arch (also x86_64) so the output does not
// depend on the host's architecture. The C preprocessor resolves the headers' #ifdefs
// (asm-generic/unistd.h is full of them) exactly as a libc build for that ABI would.
import { $ } from "bun";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./lib/util.ts";

interface Abi {
  file: string; // output module name in tables/
  exportName: string;
  pkg: string;
  triplet: string;
  header: string; // what a libc for this ABI includes
  defines: string[];
  prefixes: RegExp; // which macros are syscall numbers
}

const ABIS: Abi[] = [
  { file: "x86_64", exportName: "X86_64", pkg: "linux-libc-dev-amd64-cross", triplet: "x86_64-linux-gnu", header: "asm/unistd_64.h", defines: [], prefixes: /^__NR_/ },
  { file: "i386", exportName: "I386", pkg: "linux-libc-dev-amd64-cross", triplet: "x86_64-linux-gnu", header: "asm/unistd_32.h", defines: [], prefixes: /^__NR_/ },
  { file: "x32", exportName: "X32", pkg: "linux-libc-dev-amd64-cross", triplet: "x86_64-linux-gnu", header: "asm/unistd.h", defines: ["__ILP32__", "__x86_64__"], prefixes: /^__NR_/ },
  { file: "aarch64", exportName: "AARCH64", pkg: "linux-libc-dev-arm64-cross", triplet: "aarch64-linux-gnu", header: "asm/unistd.h", defines: ["__aarch64__"], prefixes: /^__NR_/ },
  // EABI, plus the ARM-private calls (breakpoint, cacheflush, set_tls...) libseccomp also names.
  { file: "arm", exportName: "ARM", pkg: "linux-libc-dev-armhf-cross", triplet: "arm-linux-gnueabihf", header: "asm/unistd.h", defines: ["__ARM_EABI__", "__arm__"], prefixes: /^__(?:ARM_)?NR_/ },
];

// Macros that look like syscalls but are bases, masks, counts or placeholders.
const NOT_SYSCALLS = new Set([
  "syscalls", "SYSCALL_BASE", "OABI_SYSCALL_BASE", "SYSCALL_MASK", "BASE", "arch_specific_syscall",
]);

// Calls added after the 6.1 headers Debian 12 ships. Since 5.1 (424) every arch uses the same
// numbers for new calls, so one list serves all; `only` restricts a call its table marks as
// one ABI's (map_shadow_stack is "64" in syscall_64.tbl: x86_64 only, not x32 or i386).
const NEWER: { name: string; nr: number; only?: string[] }[] = [
  { name: "cachestat", nr: 451 }, { name: "fchmodat2", nr: 452 },
  { name: "map_shadow_stack", nr: 453, only: ["x86_64", "aarch64"] },
  { name: "futex_wake", nr: 454 }, { name: "futex_wait", nr: 455 }, { name: "futex_requeue", nr: 456 },
  { name: "statmount", nr: 457 }, { name: "listmount", nr: 458 },
  { name: "lsm_get_self_attr", nr: 459 }, { name: "lsm_set_self_attr", nr: 460 },
  { name: "lsm_list_modules", nr: 461 }, { name: "mseal", nr: 462 },
];

const work = mkdtempSync(join(tmpdir(), "bunbox-syscalls-"));
try {
  const pkgs = [...new Set(ABIS.map((a) => a.pkg))];
  await $`apt-get download ${pkgs}`.cwd(work).quiet();
  for (const deb of readdirSync(work).filter((f) => f.endsWith(".deb"))) {
    await $`dpkg-deb -x ${deb} root`.cwd(work).quiet();
  }
  const version = readdirSync(work).find((f) => f.endsWith(".deb"))!.split("_")[1];
  for (const abi of ABIS) {
    const table = await extract(join(work, "root", "usr", abi.triplet, "include"), abi);
    for (const n of NEWER) {
      if (n.only && !n.only.includes(abi.file)) continue;
      if (!(n.name in table)) table[n.name] = abi.file === "x32" ? (0x40000000 | n.nr) >>> 0 : n.nr;
    }
    writeFileSync(join(ROOT, "src/linux/seccomp/tables", `${abi.file}.ts`), render(abi, table, version!));
    console.log(`${abi.file}: ${Object.keys(table).length} syscalls`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** Every syscall macro the ABI's header defines, evaluated to a number. */
async function extract(include: string, abi: Abi): Promise<Record<string, number>> {
  const defs = abi.defines.flatMap((d) => ["-D", d]);
  const src = `#include <${abi.header}>\n`;
  const out = await $`echo ${src} | cpp -dM -nostdinc -I ${include} ${defs} -`.text();
  const macros = new Map<string, string>();
  for (const line of out.split("\n")) {
    const m = /^#define (\w+) (.+)$/.exec(line);
    if (m) macros.set(m[1]!, m[2]!.trim());
  }
  const value = (expr: string, depth = 0): number => {
    if (depth > 10) throw new Error(`macro loop in ${expr}`);
    const substituted = expr.replace(/\b(?!0x)[A-Za-z_]\w*/g, (id) => {
      const def = macros.get(id);
      if (def === undefined) throw new Error(`undefined macro ${id} in ${expr}`);
      return `(${value(def, depth + 1)})`;
    });
    if (!/^[\s\d()+x0-9a-fA-F|]*$/.test(substituted)) throw new Error(`unexpected expression ${expr}`);
    return Number(new Function(`return (${substituted});`)()) >>> 0;
  };
  const table: Record<string, number> = {};
  for (const [macro, def] of macros) {
    if (!abi.prefixes.test(macro)) continue;
    const name = macro.replace(abi.prefixes, "");
    if (NOT_SYSCALLS.has(name)) continue;
    table[name] = value(def);
  }
  return table;
}

function render(abi: Abi, table: Record<string, number>, version: string): string {
  const rows = Object.entries(table).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const hex = abi.file === "x32" || abi.file === "arm";
  const num = (n: number) => (hex && n > 0xffff ? `0x${n.toString(16)}` : `${n}`);
  return [
    `// Generated by scripts/gen-syscall-tables.ts from ${abi.pkg} ${version} (${abi.header}`,
    `// with ${abi.defines.join(" ") || "no extra defines"}), plus calls numbered after Linux 6.1.`,
    "// Data only: do not edit by hand.",
    `export const ${abi.exportName}: Readonly<Record<string, number>> = {`,
    ...rows.map(([name, nr]) => `  ${name}: ${num(nr)},`),
    "};",
    "",
  ].join("\n");
}
