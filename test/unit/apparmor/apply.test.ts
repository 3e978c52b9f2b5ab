// The "apparmor" step's write, against fake /proc files: where it writes, and what it refuses.
import { describe, expect, test } from "bun:test";
import { setExecProfile, type ProcAttrIO } from "../../../src/linux/apparmor/apply.ts";
import { PROC_SUPER_MAGIC } from "../../../src/sys/constants.ts";
import { SysError } from "../../../src/sys/errno.ts";

const TMPFS_MAGIC = 0x01021994;

/** A /proc of these files (path below /proc → filesystem magic); `writeErrno` fails the write. */
function fakeProc(files: Record<string, number>, opts: { procMagic?: number; writeErrno?: number } = {}) {
  const log: string[] = [];
  const paths = new Map<number, string>();
  let next = 10;
  const io: ProcAttrIO = {
    openDir(path) { paths.set(next, path); log.push(`open ${path}`); return next++; },
    openBelow(_dir, path) {
      if (!(path in files)) throw new SysError("openat2", 2, path);
      paths.set(next, path);
      log.push(`open ${path}`);
      return next++;
    },
    fstatfsType: (fd) => (paths.get(fd) === "/proc" ? opts.procMagic ?? PROC_SUPER_MAGIC : files[paths.get(fd)!]!),
    write(fd, data) {
      if (opts.writeErrno) throw new SysError("write", opts.writeErrno);
      log.push(`write ${paths.get(fd)} ${JSON.stringify(data)}`);
    },
    close(fd) { log.push(`close ${paths.get(fd)}`); },
  };
  return { io, log };
}

describe("entering the profile at execve", () => {
  test("Linux 5.8+: this thread's attr/apparmor/exec", () => {
    const { io, log } = fakeProc({ "thread-self/attr/apparmor/exec": PROC_SUPER_MAGIC, "thread-self/attr/exec": PROC_SUPER_MAGIC });
    setExecProfile("bunbox-default", io);
    expect(log).toEqual(["open /proc", "open thread-self/attr/apparmor/exec", 'write thread-self/attr/apparmor/exec "exec bunbox-default"', "close thread-self/attr/apparmor/exec", "close /proc"]);
  });
  test("at once: this thread's attr/apparmor/current (attr/current on older kernels)", () => {
    const { io, log } = fakeProc({ "thread-self/attr/apparmor/current": PROC_SUPER_MAGIC, "thread-self/attr/apparmor/exec": PROC_SUPER_MAGIC });
    setExecProfile("bunbox-default", io, true);
    expect(log).toEqual(["open /proc", "open thread-self/attr/apparmor/current", 'write thread-self/attr/apparmor/current "changeprofile bunbox-default"', "close thread-self/attr/apparmor/current", "close /proc"]);
    const old = fakeProc({ "thread-self/attr/current": PROC_SUPER_MAGIC });
    setExecProfile("bunbox-default", old.io, true);
    expect(old.log).toContain('write thread-self/attr/current "changeprofile bunbox-default"');
  });
  test("older kernels: the shared attr/exec", () => {
    const { io, log } = fakeProc({ "thread-self/attr/exec": PROC_SUPER_MAGIC });
    setExecProfile("bunbox-default", io);
    expect(log).toContain('write thread-self/attr/exec "exec bunbox-default"');
  });
  test("CVE-2019-16884: a /proc that is not procfs gets no write", () => {
    const { io, log } = fakeProc({ "thread-self/attr/apparmor/exec": PROC_SUPER_MAGIC }, { procMagic: TMPFS_MAGIC });
    expect(() => setExecProfile("bunbox-default", io)).toThrow("fstatfs /proc is not procfs: refusing to write the AppArmor profile there: EINVAL");
    expect(log.filter((l) => l.startsWith("write"))).toEqual([]);
    expect(log.at(-1)).toBe("close /proc");
  });
  test("…nor an attr file that is not on procfs", () => {
    const { io, log } = fakeProc({ "thread-self/attr/apparmor/exec": TMPFS_MAGIC });
    expect(() => setExecProfile("bunbox-default", io)).toThrow("/proc/thread-self/attr/apparmor/exec is not on procfs");
    expect(log.filter((l) => l.startsWith("write"))).toEqual([]);
  });
  test("a profile the kernel does not have: said so", () => {
    const { io } = fakeProc({ "thread-self/attr/apparmor/exec": PROC_SUPER_MAGIC }, { writeErrno: 2 });
    expect(() => setExecProfile("nope", io)).toThrow(`write /proc/thread-self/attr/apparmor/exec: AppArmor profile "nope" is not loaded: ENOENT`);
  });
});
