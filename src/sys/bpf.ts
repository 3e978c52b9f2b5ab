// bpf(2) for the one program bunbox loads: a cgroup v2 device filter (src/cgroups/device-filter.ts
// compiles it). Loaded, attached to the container's cgroup directory, and the fds closed: the
// cgroup keeps the program until the cgroup is removed.
import { ptr } from "bun:ffi";
import { libc, errno } from "./libc.ts";
import { SYS } from "./arch.ts";
import { SysError } from "./errno.ts";
import { openat, close, cstr } from "./fsat.ts";
import { AT, O } from "./constants.ts";

const BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
/** Programs of the cgroups above (systemd's, a parent runtime's) keep applying as well. */
const BPF_F_ALLOW_MULTI = 2;
/** union bpf_attr is larger; the kernel accepts a shorter, zero-padded one. */
const ATTR_SIZE = 128;

function bpf(cmd: number, attr: Uint8Array, what: string, path?: string): number {
  const r = Number(libc().syscall(SYS.bpf, cmd, BigInt(ptr(attr)), ATTR_SIZE, 0, 0, 0));
  if (r < 0) throw new SysError(what, errno(), path);
  return r;
}

/** Loads `program` (struct bpf_insn[]) as a BPF_PROG_TYPE_CGROUP_DEVICE program; returns its fd. */
export function loadDeviceProgram(program: Uint8Array): number {
  // Without a log: a verbose verifier log that outgrows its buffer fails the load (ENOSPC) even
  // for a valid program. Only a refused program is loaded again, with a large log, for the reason.
  try {
    return bpf(BPF_PROG_LOAD, loadAttr(program), "bpf(BPF_PROG_LOAD)");
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    const log = new Uint8Array(1 << 20);
    try {
      close(bpf(BPF_PROG_LOAD, loadAttr(program, log), "bpf(BPF_PROG_LOAD)"));
    } catch { /* refused again: the log says why */ }
    const lines = new TextDecoder().decode(log.subarray(0, Math.max(0, log.indexOf(0)))).trim().split("\n");
    // The verifier's reason precedes its closing statistics ("processed N insns ...")
    const reason = lines.filter((l) => l && !/^(processed|verification time|stack depth)\b/.test(l)).pop();
    throw new SysError(e.syscall, e.errno, reason ? `device filter (verifier: ${reason})` : "device filter");
  }
}

function loadAttr(program: Uint8Array, log?: Uint8Array): Uint8Array {
  const license = cstr("Apache-2.0");
  const attr = new Uint8Array(ATTR_SIZE);
  const v = new DataView(attr.buffer);
  v.setUint32(0, BPF_PROG_TYPE_CGROUP_DEVICE, true);
  v.setUint32(4, program.length / 8, true);
  v.setBigUint64(8, BigInt(ptr(program)), true);
  v.setBigUint64(16, BigInt(ptr(license)), true);
  if (log) {
    v.setUint32(24, 1, true); // log_level
    v.setUint32(28, log.length, true);
    v.setBigUint64(32, BigInt(ptr(log)), true);
  }
  keepAlive.set(attr, [program, license, log]);
  return attr;
}

/** The buffers an attr points at stay referenced as long as the attr (the kernel reads them). */
const keepAlive = new WeakMap<Uint8Array, unknown>();

/** Attaches a loaded device program to the cgroup directory `dir`. */
export function attachDeviceProgram(dir: string, programFd: number): void {
  const target = openat(AT.FDCWD, dir, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
  try {
    const attr = new Uint8Array(ATTR_SIZE);
    const v = new DataView(attr.buffer);
    v.setUint32(0, target, true);
    v.setUint32(4, programFd, true);
    v.setUint32(8, BPF_CGROUP_DEVICE, true);
    v.setUint32(12, BPF_F_ALLOW_MULTI, true);
    bpf(BPF_PROG_ATTACH, attr, "bpf(BPF_PROG_ATTACH)", dir);
  } finally {
    close(target);
  }
}

/** Load, attach to `dir`, close: the cgroup holds the program from then on. */
export function setDeviceFilter(dir: string, program: Uint8Array): void {
  const fd = loadDeviceProgram(program);
  try {
    attachDeviceProgram(dir, fd);
  } finally {
    close(fd);
  }
}
