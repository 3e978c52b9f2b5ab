import { describe, expect, test } from "bun:test";
import { compileSeccomp } from "../../../src/linux/seccomp/compile.ts";
import { DOCKER_DEFAULT_CAPS, DOCKER_DEFAULT_PROFILE, defaultSeccomp, dockerProfileToOci } from "../../../src/config/docker-seccomp.ts";
import { runBpf, verdict } from "./bpf-interp.ts";
import { runner } from "./helpers.ts";

const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNS = 0x00020000;
const SIGCHLD = 17;
const THREAD_FLAGS = 0x3d0f00; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID

const build = (arch: "x86_64" | "aarch64", caps: readonly string[] = DOCKER_DEFAULT_CAPS) =>
  compileSeccomp(defaultSeccomp(arch, caps), arch);

const plain = runner(build("x86_64").program);
const admin = runner(build("x86_64", [...DOCKER_DEFAULT_CAPS, "CAP_SYS_ADMIN"]).program);

describe("Docker default profile on x86_64", () => {
  test("the filter is small and allows Docker's ~360 names", () => {
    const c = build("x86_64");
    expect(c.program.length / 8).toBeLessThan(600);
    expect(c.allowed).toBeGreaterThan(340);
    // Names of other ABIs only (arm's send/recv) are reported, x86's own are all known.
    expect(c.unknownNames).toEqual(["recv", "send"]);
  });

  test.each(["read", "write", "exit_group", "openat", "mmap", "futex", "rt_sigaction", "execve", "arch_prctl", "modify_ldt"])(
    "%s allowed", (name) => expect(plain("x86_64", name)).toBe("allow"),
  );

  const adminOnly = ["mount", "umount2", "unshare", "setns", "sethostname", "setdomainname", "bpf", "perf_event_open", "fsopen", "open_tree"];
  test.each(adminOnly)("%s: EPERM without CAP_SYS_ADMIN, allowed with it", (name) => {
    expect(plain("x86_64", name)).toBe("errno 1");
    expect(admin("x86_64", name)).toBe("allow");
  });

  const alwaysDenied = ["keyctl", "add_key", "request_key", "kexec_load", "userfaultfd", "io_uring_setup", "io_uring_enter", "swapon", "pivot_root"];
  test.each(alwaysDenied)("%s: EPERM even with CAP_SYS_ADMIN (Docker never allows it)", (name) => {
    expect(plain("x86_64", name)).toBe("errno 1");
    expect(admin("x86_64", name)).toBe("errno 1");
  });

  test.each([
    ["CAP_SYS_BOOT", "reboot"], ["CAP_SYS_MODULE", "init_module"], ["CAP_SYS_MODULE", "finit_module"],
    ["CAP_SYS_MODULE", "delete_module"], ["CAP_SYS_TIME", "clock_settime"], ["CAP_SYS_TIME", "settimeofday"],
    ["CAP_SYS_PACCT", "acct"], ["CAP_SYS_RAWIO", "iopl"], ["CAP_SYS_RAWIO", "ioperm"], ["CAP_SYSLOG", "syslog"],
    ["CAP_DAC_READ_SEARCH", "open_by_handle_at"], ["CAP_SYS_NICE", "mbind"], ["CAP_BPF", "bpf"],
    ["CAP_PERFMON", "perf_event_open"], ["CAP_SYS_PTRACE", "kcmp"], ["CAP_SYS_TTY_CONFIG", "vhangup"],
  ])("%s opens %s", (cap, name) => {
    expect(plain("x86_64", name)).toBe("errno 1");
    expect(runner(build("x86_64", [...DOCKER_DEFAULT_CAPS, cap]).program)("x86_64", name)).toBe("allow");
  });

  test("clone: namespace flags refused, plain fork and thread creation allowed", () => {
    expect(plain("x86_64", "clone", [SIGCHLD])).toBe("allow");
    expect(plain("x86_64", "clone", [THREAD_FLAGS])).toBe("allow");
    expect(plain("x86_64", "clone", [CLONE_NEWUSER | SIGCHLD])).toBe("errno 1");
    expect(plain("x86_64", "clone", [CLONE_NEWNS])).toBe("errno 1");
    // Bits above 32 are not namespace flags: the mask has no high half.
    expect(plain("x86_64", "clone", [0x100000000n | BigInt(SIGCHLD)])).toBe("allow");
    expect(admin("x86_64", "clone", [CLONE_NEWUSER | SIGCHLD])).toBe("allow");
  });

  test("clone3 answers ENOSYS so libc falls back to clone (allowed with CAP_SYS_ADMIN)", () => {
    expect(plain("x86_64", "clone3")).toBe("errno 38");
    expect(admin("x86_64", "clone3")).toBe("allow");
  });

  test("personality: only Docker's five values", () => {
    for (const p of [0x0, 0x8, 0x20000, 0x20008, 0xffffffff]) expect(plain("x86_64", "personality", [p])).toBe("allow");
    for (const p of [0x1234, 0x0400000, 0x100000008n]) expect(plain("x86_64", "personality", [p])).toBe("errno 1");
  });

  test("socket: AF_ALG and AF_VSOCK refused, also with garbage in the high half", () => {
    for (const af of [1, 2, 10, 16, 17]) expect(plain("x86_64", "socket", [af, 1, 0])).toBe("allow");
    expect(plain("x86_64", "socket", [38])).toBe("errno 1");
    expect(plain("x86_64", "socket", [40])).toBe("errno 1");
    expect(plain("x86_64", "socket", [0x100000028n])).toBe("errno 1");
    expect(plain("x86_64", "socket", [0xffffffff00000026n])).toBe("errno 1");
  });

  test("i386: its own numbers (mount is 21, write is 4)", () => {
    expect(runBpf(build("x86_64").program, { nr: 21, arch: 0x40000003 })).toBe(0x00050001);
    expect(verdict(runBpf(build("x86_64").program, { nr: 4, arch: 0x40000003 }))).toBe("allow");
    expect(plain("i386", "socketcall")).toBe("allow");
    expect(plain("i386", "socket", [40])).toBe("errno 1");
    expect(plain("i386", "clone", [CLONE_NEWUSER])).toBe("errno 1");
    expect(plain("i386", "clone", [SIGCHLD])).toBe("allow");
    expect(plain("i386", "personality", [0xffffffff])).toBe("allow");
    expect(admin("i386", "mount")).toBe("allow");
  });

  test("x32: matched with x32 numbers", () => {
    expect(plain("x32", "read")).toBe("allow");
    expect(plain("x32", "rt_sigaction")).toBe("allow"); // 512: x32's own entry
    expect(plain("x32", "mount")).toBe("errno 1");
    expect(plain("x32", "clone", [CLONE_NEWUSER])).toBe("errno 1");
    expect(plain("x32", "clone3")).toBe("errno 38");
    // x86_64's rt_sigaction (13) is not an x32 call: 0x4000000d falls to the default.
    expect(plain("x32", 0x4000000d)).toBe("errno 1");
  });

  test("an arch the filter does not handle is killed", () => {
    expect(verdict(runBpf(build("x86_64").program, { nr: 0, arch: 0xdeadbeef }))).toBe("kill_process");
    expect(verdict(runBpf(build("x86_64").program, { nr: 63, arch: 0xc00000b7 }))).toBe("kill_process");
  });

  test("syscalls newer than the profile answer ENOSYS, gaps below answer EPERM", () => {
    expect(plain("x86_64", 1000)).toBe("errno 38");
    expect(plain("x86_64", 457)).toBe("errno 38"); // statmount: newer than anything Docker names
    expect(plain("x86_64", 0x3fffffff)).toBe("errno 38");
    expect(plain("i386", 1000)).toBe("errno 38");
    expect(plain("x32", 0x40000000 + 1000)).toBe("errno 38");
    expect(plain("x86_64", "kexec_load")).toBe("errno 1");
  });
});

describe("Docker default profile on aarch64", () => {
  const arm64 = runner(build("aarch64").program);
  const arm64Admin = runner(build("aarch64", [...DOCKER_DEFAULT_CAPS, "CAP_SYS_ADMIN"]).program);

  test("spot checks with AUDIT_ARCH_AARCH64", () => {
    for (const n of ["read", "write", "exit_group", "openat", "sync_file_range"]) expect(arm64("aarch64", n)).toBe("allow");
    expect(verdict(runBpf(build("aarch64").program, { nr: 63, arch: 0xc00000b7 }))).toBe("allow"); // read
    expect(arm64("aarch64", "mount")).toBe("errno 1");
    expect(arm64Admin("aarch64", "mount")).toBe("allow");
    expect(arm64("aarch64", "unshare")).toBe("errno 1");
    expect(arm64("aarch64", "keyctl")).toBe("errno 1");
    expect(arm64("aarch64", "clone3")).toBe("errno 38");
    expect(arm64("aarch64", "clone", [CLONE_NEWUSER | SIGCHLD])).toBe("errno 1");
    expect(arm64("aarch64", "clone", [SIGCHLD])).toBe("allow");
    expect(arm64("aarch64", "socket", [40])).toBe("errno 1");
    expect(arm64("aarch64", "personality", [8])).toBe("allow");
    expect(arm64("aarch64", 1000)).toBe("errno 38");
  });

  test("arm (AArch32) compat calls", () => {
    expect(arm64("arm", "write")).toBe("allow");
    expect(arm64("arm", "set_tls")).toBe("allow"); // ARM-private 0xf0005
    expect(arm64("arm", "breakpoint")).toBe("allow");
    expect(arm64("arm", "arm_fadvise64_64")).toBe("allow"); // the arm/arm64-only group
    expect(arm64("arm", "mount")).toBe("errno 1");
    expect(arm64("arm", 1000)).toBe("errno 38"); // past the regular table, below the private range
    expect(arm64("arm", "get_tls")).toBe("errno 38"); // 0xf0006: private, newer than the profile's
  });

  test("x86 arches are killed on an aarch64 filter", () => {
    expect(verdict(runBpf(build("aarch64").program, { nr: 1, arch: 0xc000003e }))).toBe("kill_process");
  });
});

describe("dockerProfileToOci resolves includes/excludes like the daemon", () => {
  const names = (caps: string[], arch: "x86_64" | "aarch64" = "x86_64", kernel?: string) =>
    dockerProfileToOci(DOCKER_DEFAULT_PROFILE, { arch, capabilities: caps, kernel }).syscalls!.flatMap((s) => s.names);

  test("archMap gives the native arch and its sub-arches", () => {
    expect(defaultSeccomp("x86_64").architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    expect(defaultSeccomp("aarch64").architectures).toEqual(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
    expect(defaultSeccomp("x86_64").defaultErrnoRet).toBe(1);
  });

  test("arch-only groups", () => {
    expect(names([])).toContain("arch_prctl");
    expect(names([])).not.toContain("set_tls");
    expect(names([], "aarch64")).toContain("set_tls");
    expect(names([], "aarch64")).not.toContain("arch_prctl");
  });

  test("capabilities given with or without CAP_", () => {
    expect(names(["SYS_ADMIN"])).toContain("mount");
    expect(names(["cap_sys_admin"])).toContain("mount");
    expect(names([])).not.toContain("mount");
  });

  test("minKernel: ptrace from 4.8 on (Docker's rule), always with CAP_SYS_PTRACE", () => {
    expect(names([], "x86_64", "4.4.0")).not.toContain("ptrace");
    expect(names([], "x86_64", "6.1.0-13-amd64")).toContain("ptrace");
    expect(names(["CAP_SYS_PTRACE"], "x86_64", "4.4.0")).toContain("ptrace");
  });

  test("'architectures' and 'archMap' together are refused, as dockerd does", () => {
    expect(() => dockerProfileToOci({ ...DOCKER_DEFAULT_PROFILE, architectures: ["SCMP_ARCH_X86"] }, { arch: "x86_64", capabilities: [] }))
      .toThrow("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  });
});
