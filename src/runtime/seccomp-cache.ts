// The seccomp filter is compiled in the parent, and compiling Docker's profile costs ~25 ms in a
// fresh process (mostly JIT warm-up): the result is cached by the digest of the exact OCI
// seccomp section, the architecture and the bunbox version, under the (root-only) state dir.
// The compiler and its syscall tables are loaded only on a miss: loading them cost every run
// a few ms of start-up.
import { mkdirSync, readFileSync } from "../sys/files.ts";
import type { NativeArch } from "../linux/seccomp/arches.ts";
import type { Spec } from "../config/schema.ts";
import { writeFileAtomic } from "../state/files.ts";
import { isTrustedFile } from "../state/trust.ts";

export interface CompiledSeccomp {
  /** The BPF program, base64 (it travels in the plan). */
  program: string;
  /** Syscall names allowed outright (for --explain). */
  syscalls: number;
  flags: number;
}

declare const BUILD_VERSION: string;
const VERSION = typeof BUILD_VERSION === "string" ? BUILD_VERSION : "dev";

export async function compiledSeccomp(seccomp: NonNullable<NonNullable<Spec["linux"]>["seccomp"]>, arch: NativeArch, cacheDir: string | undefined): Promise<CompiledSeccomp> {
  const json = JSON.stringify(seccomp);
  const key = new Bun.CryptoHasher("sha256").update(`${VERSION}\0${arch}\0${json}`).digest("hex");
  const path = cacheDir && `${cacheDir}/${key}.json`;
  // A filter is only as good as whoever wrote it: root's own files only (the directories above
  // are checked by trustStateRoot)
  if (path && isTrustedFile(path)) {
    try { return JSON.parse(readFileSync(path, "utf8")) as CompiledSeccomp; } catch { /* not cached yet */ }
  }
  const { compileSeccomp } = await import("../linux/seccomp/compile.ts");
  const c = compileSeccomp(seccomp, arch);
  const out: CompiledSeccomp = { program: Buffer.from(c.program).toString("base64"), syscalls: c.allowed, flags: c.flags };
  if (path) {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      writeFileAtomic(path, JSON.stringify(out));
    } catch { /* a cache only */ }
  }
  return out;
}
