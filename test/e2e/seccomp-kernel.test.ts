// The compiled Docker default filter, installed for real: the kernel's own checker must accept
// the program, and calls must then answer as the profile says. No root needed: seccomp filters
// can be installed by anyone after PR_SET_NO_NEW_PRIVS. Bun is multithreaded and the filter goes
// on without TSYNC, so it binds the child's main thread only, which is where the calls are made.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileSeccomp } from "../../src/linux/seccomp/compile.ts";
import { defaultSeccomp } from "../../src/config/docker-seccomp.ts";

const ARCH = process.arch === "arm64" ? "aarch64" : "x86_64";
const NR = {
  x86_64: { seccomp: 317, getpid: 39, getppid: 110, unshare: 272, keyctl: 250, clone3: 435, personality: 135, socket: 41 },
  aarch64: { seccomp: 277, getpid: 172, getppid: 173, unshare: 97, keyctl: 219, clone3: 435, personality: 92, socket: 198 },
}[ARCH];

// Runs in the child: install the filter from argv[2], make the calls listed in argv[3]
// ({label: [nr, ...args]}) and print {label: "ok" | "errno N"} as one JSON line.
const CHILD = `
import { dlopen, FFIType as T, ptr, read } from "bun:ffi";
import { readFileSync } from "node:fs";
const c = dlopen("libc.so.6", {
  prctl: { args: [T.i32, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
  syscall: { args: [T.i64, T.i64, T.i64, T.i64, T.i64, T.i64, T.i64], returns: T.i64_fast },
  __errno_location: { args: [], returns: T.ptr },
}).symbols;
const errno = () => read.i32(c.__errno_location(), 0);
const result = (rc) => (Number(rc) < 0 ? "errno " + errno() : "ok");
const program = readFileSync(process.argv[2]);
const calls = JSON.parse(process.argv[3]);
const prog = new Uint8Array(16); // struct sock_fprog { u16 len; pad; struct sock_filter *filter; }
const view = new DataView(prog.buffer);
view.setUint16(0, program.length / 8, true);
view.setBigUint64(8, BigInt(ptr(program)), true);
const out = {};
out.nnp = result(c.prctl(38, 1, 0, 0, 0)); // PR_SET_NO_NEW_PRIVS
out.install = result(c.syscall(${NR.seccomp}, 1, 0, BigInt(ptr(prog)), 0, 0, 0)); // SECCOMP_SET_MODE_FILTER
for (const [label, [nr, ...args]] of Object.entries(calls)) {
  const a = [...args, 0, 0, 0, 0, 0, 0].slice(0, 6);
  out[label] = result(c.syscall(nr, ...a));
}
console.log(JSON.stringify(out));
`;

function runFiltered(program: Uint8Array, calls: Record<string, number[]>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "bunbox-seccomp-"));
  try {
    writeFileSync(join(dir, "filter.bpf"), program);
    writeFileSync(join(dir, "child.ts"), CHILD);
    const r = Bun.spawnSync([process.execPath, join(dir, "child.ts"), join(dir, "filter.bpf"), JSON.stringify(calls)], { timeout: 30_000 });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    return JSON.parse(r.stdout.toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("compiled filters in a real kernel", () => {
  test("Docker default profile: the kernel accepts it; denies, allows, ENOSYS as the profile says", () => {
    const { program } = compileSeccomp(defaultSeccomp(ARCH), ARCH);
    expect(runFiltered(program, {
      getpid: [NR.getpid],
      unshareUts: [NR.unshare, 0x04000000], // CLONE_NEWUTS: EPERM without CAP_SYS_ADMIN in the profile
      keyctl: [NR.keyctl],
      clone3: [NR.clone3], // ENOSYS, not EFAULT: the filter answered, so libc falls back to clone
      personality: [NR.personality, 0x1234],
      vsock: [NR.socket, 40, 1, 0],
      newer: [1000],
    })).toEqual({
      nnp: "ok", install: "ok", getpid: "ok", unshareUts: "errno 1", keyctl: "errno 1",
      clone3: "errno 38", personality: "errno 1", vsock: "errno 1", newer: "errno 38",
    });
  });

  test("a filter with long jumps (BPF_JA past 255) runs as compiled", () => {
    // Permissive default so Bun itself keeps working. 300 ORed rules each on getpid and getppid:
    // reaching getppid's rules means jumping over getpid's, far beyond an 8-bit offset.
    const MAGIC = 0x5eed0000; // argument values Bun's own calls will not pass
    const rules = (name: string, base: number) => Array.from({ length: 300 }, (_, i) => ({
      names: [name], action: "SCMP_ACT_ERRNO" as const, errnoRet: base + i,
      args: [{ index: 0, value: MAGIC + i, op: "SCMP_CMP_EQ" as const }],
    }));
    const { program } = compileSeccomp({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [...rules("getpid", 100), ...rules("getppid", 500)] }, ARCH);
    const view = new DataView(program.buffer);
    const longJumps = Array.from({ length: program.length / 8 }, (_, i) => i)
      .filter((i) => view.getUint16(i * 8, true) === 0x05 && view.getUint32(i * 8 + 4, true) > 255);
    expect(longJumps.length).toBeGreaterThan(0);
    expect(runFiltered(program, {
      pidFirst: [NR.getpid, MAGIC], pidLast: [NR.getpid, MAGIC + 299], pidNone: [NR.getpid, MAGIC + 300],
      ppidFirst: [NR.getppid, MAGIC], ppidLast: [NR.getppid, MAGIC + 299], ppidNone: [NR.getppid, 1],
    })).toEqual({
      nnp: "ok", install: "ok", pidFirst: "errno 100", pidLast: "errno 399", pidNone: "ok",
      ppidFirst: "errno 500", ppidLast: "errno 799", ppidNone: "ok",
    });
  });
});
