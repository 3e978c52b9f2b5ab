// Attacks from docs/security.md, tried from inside real containers by dist/probe
// (fixtures/probe/probe.c), as root. Each asserts the secure outcome, even where bunbox does not
// provide it yet (seccomp, --privileged, --cap-add/--cap-drop, --security-opt): those tests fail
// until the feature lands, and the failure names the attack that still works.
//
// Nothing here may damage the host even if an attack succeeds: every probe case is harmless by
// construction (see probe.c), the CVE-2019-5736 exploit targets a copy of the binary and never
// writes, and the host's hostname, mounts, a sentinel file and kernel.panic are compared after.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox, BIN, type Result, SLOW } from "./harness.ts";
import { golden } from "../golden.ts";
import { buildProbe } from "../../scripts/build-probe.ts";

const FIXTURES = `${import.meta.dir}/../../fixtures/probe`;
const IMAGE_TAR = `${import.meta.dir}/../../dist/busybox.tar.zst`;

const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-attacks-`);
const probeDir = `${work}/probe`;
/** A host-only file: no container may ever see it. */
const sentinel = `${work}/host-only-sentinel`;

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const devOf = (path: string) => { const s = statSync(path); return `${s.dev}:${s.ino}`; };

/** The host's root block device as major:minor (a disk the container must not open). */
function hostDisk(): string {
  const dev = statSync("/").dev;
  const major = ((dev >> 8) & 0xfff) | Math.floor(dev / 2 ** 32) & ~0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  return major ? `${major}:${minor}` : "8:0"; // overlay/tmpfs root: the usual first SCSI disk
}

/** What must be the same after every attack. */
function hostState() {
  return {
    hostname: readFileSync("/proc/sys/kernel/hostname", "utf8"),
    domainname: readFileSync("/proc/sys/kernel/domainname", "utf8"),
    panic: readFileSync("/proc/sys/kernel/panic", "utf8"),
    sentinel: readFileSync(sentinel, "utf8"),
    mountinfo: readFileSync("/proc/self/mountinfo", "utf8"),
    bunbox: sha256(BIN),
  };
}

let before: ReturnType<typeof hostState>;

beforeAll(async () => {
  const probe = await buildProbe();
  mkdirSync(probeDir);
  copyFileSync(probe, `${probeDir}/probe`);
  chmodSync(`${probeDir}/probe`, 0o755);
  copyFileSync(`${FIXTURES}/exe-payload.js`, `${probeDir}/exe-payload.js`);
  writeFileSync(sentinel, "host only\n");
  before = hostState();
});

afterAll(() => {
  expect(hostState()).toEqual(before);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const PROBE_ENV = () => ["-e", `PROBE_SENTINEL=${sentinel}`, "-e", `PROBE_DEV=${hostDisk()}`, "-e", `PROBE_EXE=${devOf(BIN)}`];

/** Runs the probe with the given attacks in a container made with `flags`. */
function probe(flags: string[], attacks: string[], image = "busybox"): Result {
  return sb.box([...flags, "-v", `${probeDir}:/probe:ro`, ...PROBE_ENV(), image, "/probe/probe", ...attacks]);
}

/** "attack: outcome" lines as a map (a failed run leaves every attack undefined). */
function outcomes(r: Result): Map<string, string> {
  const m = new Map<string, string>();
  if (r.code !== 0) return m;
  for (const line of r.stdout.trim().split("\n")) {
    const i = line.indexOf(": ");
    if (i > 0 && !m.has(line.slice(0, i))) m.set(line.slice(0, i), line.slice(i + 2));
  }
  return m;
}

// The default container: every attack and what refusing it looks like. Where a kernel decides how
// the refusal looks (a feature compiled out: ENOSYS, ENOENT, EAFNOSUPPORT; no IA32 emulation:
// SIGSEGV), every such refusal is listed, and the golden (test/golden/attacks/default.txt) says so.
const EPERM = ["EPERM"];
const KERNEL_OPTIONAL = ["EPERM", "ENOSYS"];
const DEFAULT: [attack: string, refusals: string[], why: string][] = [
  ["mount", EPERM, "no CAP_SYS_ADMIN (seccomp too)"],
  ["umount", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-user", EPERM, "seccomp: unshare without CAP_SYS_ADMIN (the kernel allows user namespaces to anyone)"],
  ["unshare-mnt", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-uts", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-ipc", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-net", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-pid", EPERM, "no CAP_SYS_ADMIN"],
  ["unshare-cgroup", EPERM, "no CAP_SYS_ADMIN"],
  ["userns-mount", EPERM, "seccomp: a user namespace would hand out every capability"],
  ["clone-newuser", EPERM, "seccomp: clone namespace flags (mask 0x7E020000)"],
  ["clone3", ["ENOSYS"], "seccomp: clone3 answers ENOSYS so libc falls back to clone"],
  ["setns", EPERM, "no CAP_SYS_ADMIN"],
  ["pivot_root", EPERM, "no CAP_SYS_ADMIN"],
  ["chroot-escape", ["contained"], "pivot_root leaves nothing above the root"],
  ["reboot", EPERM, "no CAP_SYS_BOOT"],
  ["kexec_load", KERNEL_OPTIONAL, "no CAP_SYS_BOOT (seccomp)"],
  ["init_module", KERNEL_OPTIONAL, "no CAP_SYS_MODULE (seccomp)"],
  ["finit_module", KERNEL_OPTIONAL, "no CAP_SYS_MODULE (seccomp)"],
  ["delete_module", KERNEL_OPTIONAL, "no CAP_SYS_MODULE (seccomp)"],
  ["keyctl", EPERM, "seccomp: the kernel keyring is not namespaced"],
  ["add_key", EPERM, "seccomp"],
  ["request_key", EPERM, "seccomp"],
  ["bpf", EPERM, "no CAP_BPF/CAP_SYS_ADMIN (seccomp)"],
  ["perf_event_open", ["EPERM", "EACCES"], "seccomp (EACCES: perf_event_paranoid 3)"],
  ["userfaultfd", EPERM, "seccomp (vm.unprivileged_userfaultfd=0 also refuses)"],
  ["io_uring_setup", EPERM, "seccomp: io_uring bypasses seccomp for the operations it runs"],
  ["open_by_handle_at", EPERM, "no CAP_DAC_READ_SEARCH (the 'shocker' escape)"],
  ["sethostname", EPERM, "no CAP_SYS_ADMIN"],
  ["setdomainname", EPERM, "no CAP_SYS_ADMIN"],
  ["clock_settime", EPERM, "no CAP_SYS_TIME"],
  ["swapon", EPERM, "no CAP_SYS_ADMIN"],
  ["acct", EPERM, "no CAP_SYS_PACCT"],
  ["syslog", EPERM, "no CAP_SYSLOG"],
  ["iopl", KERNEL_OPTIONAL, "no CAP_SYS_RAWIO (seccomp)"],
  ["personality", EPERM, "seccomp: only 0x0 0x8 0x20000 0x20008 0xffffffff"],
  ["fsopen", EPERM, "no CAP_SYS_ADMIN"],
  ["socket-alg", ["EPERM", "EAFNOSUPPORT"], "seccomp refuses AF_ALG (38)"],
  ["socket-vsock", ["EPERM", "EAFNOSUPPORT"], "seccomp refuses AF_VSOCK (40): it reaches the hypervisor"],
  // int $0x80 faults on kernels/hypervisors without the i386 entry (IA32 emulation off): nothing to reach
  ["i386-unshare", ["EPERM", "killed by SIGSEGV", "killed by SIGSYS"], "seccomp must cover the i386 sub-arch"],
  ["i386-keyctl", ["EPERM", "killed by SIGSEGV", "killed by SIGSYS"], "seccomp must cover the i386 sub-arch"],
  ["x32-unshare", ["EPERM", "ENOSYS", "killed by SIGSYS"], "seccomp must cover (or refuse) the x32 sub-arch"],
  ["sysrq", ["EROFS", "ENOENT"], "/proc/sysrq-trigger read-only (ENOENT: no CONFIG_MAGIC_SYSRQ)"],
  ["proc-sys", ["EROFS"], "/proc/sys read-only"],
  // (EACCES: where AppArmor is on, bunbox-default denies the path before the mask is reached)
  ["kcore", ["empty", "ENOENT", "EACCES"], "masked (ENOENT: no CONFIG_PROC_KCORE; EACCES: the AppArmor profile)"],
  ["keys", ["empty", "ENOENT"], "masked"],
  ["timer_list", ["empty", "ENOENT"], "masked"],
  ["kmsg", ["ENOENT"], "not in /dev"],
  ["mknod-open", EPERM, "device cgroup: only null zero full random urandom tty ptmx"],
  ["fds", ["0 1 2"], "every fd >= 3 closed before execve"],
  ["cwd-escape", ["contained"], "CVE-2024-21626: no leaked directory fd, cwd inside the root"],
  ["exe-write", ["2 processes, 0 run the runtime binary, 0 exe writable"], "CVE-2019-5736: no runtime process in the container"],
];

describe("default container: every attack is refused", () => {
  let seen: Map<string, string>;
  let run: Result;
  beforeAll(() => {
    run = probe([], DEFAULT.map(([a]) => a));
    seen = outcomes(run);
  });

  test("the probe ran (exit 0, nothing on stderr)", () => {
    expect([run.code, run.stderr]).toEqual([0, ""]);
  });

  test.each(DEFAULT)("%s → %j (%s)", (attack, refusals) => {
    expect(refusals).toContain(seen.get(attack)!);
  });

  test("what the container sees, line by line (golden)", () => {
    // What must hold on every supported host: where kernels differ in how they refuse (a feature
    // compiled out, no IA32 emulation: SIGSEGV where others answer EPERM), the line names the
    // refusals allowed; any other outcome is printed as it is and breaks the golden.
    const line = (a: string, refusals: string[]) => {
      const s = seen.get(a) ?? "(no output)";
      return refusals.length > 1 && refusals.includes(s) ? `refused (${refusals.join(" or ")})` : s;
    };
    const text = DEFAULT.map(([a, r]) => `${a}: ${line(a, r)}`).join("\n") + "\n";
    expect(text).toBe(golden("attacks/default.txt", text));
  });

  test("the same refusals as a non-root user", () => {
    const r = outcomes(probe(["-u", "65534:65534"], ["mount", "unshare-user", "keyctl", "chroot-escape", "fds", "cwd-escape", "proc-sys", "mknod-open"]));
    expect(Object.fromEntries(r)).toEqual({
      "mount": "EPERM", "unshare-user": "EPERM", "keyctl": "EPERM", "chroot-escape": "EPERM",
      "fds": "0 1 2", "cwd-escape": "contained", "proc-sys": "EACCES", "mknod-open": "EPERM",
    });
  });

  test("ls /proc/self/fd shows only 0 1 2 and ls's own directory fd", () => {
    const r = sb.box(["busybox", "sh", "-c", "exec ls /proc/self/fd"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "0\n1\n2\n3\n", ""]);
  });
});

// Things that must become possible with --privileged (so the tests above can fail for the right
// reason): only the ones that stay inside the container's namespaces or the probe's own process.
describe("--privileged: the refusals above come from the capabilities, seccomp and masks", () => {
  let seen: Map<string, string>;
  let run: Result;
  const PRIV: [string, string[]][] = [
    ["mount", ["OK"]], ["umount", ["OK"]], ["setns", ["OK"]],
    ["unshare-user", ["OK"]], ["unshare-mnt", ["OK"]], ["unshare-uts", ["OK"]], ["unshare-ipc", ["OK"]],
    ["unshare-net", ["OK"]], ["unshare-pid", ["OK"]], ["unshare-cgroup", ["OK"]], ["userns-mount", ["OK"]],
    ["clone-newuser", ["OK"]], ["clone3", ["OK"]], ["sethostname", ["OK"]], ["setdomainname", ["OK"]],
    ["keyctl", ["OK"]], ["add_key", ["OK"]], ["request_key", ["ENOKEY"]], ["bpf", ["OK"]],
    ["perf_event_open", ["OK"]], ["userfaultfd", ["OK"]], ["io_uring_setup", ["OK"]], ["personality", ["OK"]],
    ["fsopen", ["OK"]], ["syslog", ["OK"]], ["swapon", ["ENOENT"]], ["acct", ["ENOENT"]],
    // Capability granted: the kernel rejects the harmless arguments instead (or lacks the call)
    ["reboot", ["EINVAL"]], ["kexec_load", ["EINVAL", "ENOSYS"]], ["init_module", ["ENOEXEC", "ENOSYS"]],
    // The kernel cannot decode the garbage handle: not EPERM any more
    ["open_by_handle_at", ["ESTALE", "EINVAL", "EOPNOTSUPP"]],
    // Unmasked: the real file is there (or not compiled in)
    ["timer_list", ["OK (read 64 bytes)", "ENOENT"]],
    // Still contained: privileges do not undo pivot_root or the fd hygiene
    ["chroot-escape", ["contained"]], ["fds", ["0 1 2"]], ["cwd-escape", ["contained"]],
    // Last, as it may change the container's own root: "." is already the root, so EINVAL/EBUSY
    ["pivot_root", ["EINVAL", "EBUSY", "OK"]],
  ];
  beforeAll(() => {
    run = probe(["--privileged"], PRIV.map(([a]) => a));
    seen = outcomes(run);
  });

  test("runs (exit 0)", () => {
    expect([run.code, run.stderr]).toEqual([0, ""]);
  });

  test.each(PRIV)("%s → %j", (attack, allowed) => {
    expect(allowed).toContain(seen.get(attack)!);
  });

  test("all capabilities, no seccomp, no masks, /proc/sys writable", () => {
    const r = sb.box(["--privileged", "busybox", "sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; grep -c ' /proc/keys ' /proc/self/mountinfo; grep ' /proc/sys ' /proc/self/mountinfo | cut -d' ' -f6"]);
    // Every capability bunbox itself holds (a host may withhold some, e.g. CAP_SYS_RESOURCE here)
    const held = readFileSync("/proc/self/status", "utf8").match(/^CapBnd:\t(\w+)/m)![1];
    expect(r.stdout).toMatch(new RegExp(`^CapEff:\\t${held}\\nSeccomp:\\t0\\n0\\n(rw,.*)?\\n?$`));
  });
});

describe("--cap-add, --cap-drop, --security-opt change exactly what they name", () => {
  // Where AppArmor is on, bunbox-default refuses every mount (EACCES) before the kernel looks at
  // the capabilities: apparmor.test.ts shows that. Out of its way (Docker's apparmor=unconfined),
  // these show what the capabilities and the seccomp filter alone decide, the same on every host.
  const NO_LSM = ["--security-opt", "apparmor=unconfined"];

  test("--cap-add SYS_ADMIN allows mount and unshare of a mount namespace, seccomp still refuses keyctl", () => {
    const r = outcomes(probe(["--cap-add", "SYS_ADMIN", ...NO_LSM], ["mount", "unshare-mnt", "keyctl", "sethostname"]));
    expect(Object.fromEntries(r)).toEqual({ "mount": "OK", "unshare-mnt": "OK", "keyctl": "EPERM", "sethostname": "OK" });
  });

  test("--cap-drop ALL: no chroot, no mknod, CapEff 0", () => {
    const r = outcomes(probe(["--cap-drop", "ALL"], ["chroot-escape", "mknod-open", "fds"]));
    expect(Object.fromEntries(r)).toEqual({ "chroot-escape": "EPERM", "mknod-open": "EPERM", "fds": "0 1 2" });
    expect(sb.box(["--cap-drop", "ALL", "busybox", "grep", "^CapEff", "/proc/self/status"]).stdout).toBe("CapEff:\t0000000000000000\n");
  });

  test("--cap-drop SYS_CHROOT refuses the chroot step of the classic escape", () => {
    expect(Object.fromEntries(outcomes(probe(["--cap-drop", "SYS_CHROOT"], ["chroot-escape"])))).toEqual({ "chroot-escape": "EPERM" });
  });

  test("--security-opt seccomp=unconfined lets keyctl and unshare-user through; caps still refuse mount", () => {
    const r = outcomes(probe(["--security-opt", "seccomp=unconfined", ...NO_LSM], ["keyctl", "unshare-user", "mount"]));
    expect(Object.fromEntries(r)).toEqual({ "keyctl": "OK", "unshare-user": "OK", "mount": "EPERM" });
  });

  test("--security-opt no-new-privileges sets NoNewPrivs", () => {
    const r = sb.box(["--security-opt", "no-new-privileges", "busybox", "grep", "^NoNewPrivs", "/proc/self/status"]);
    expect([r.code, r.stdout]).toEqual([0, "NoNewPrivs:\t1\n"]);
  });

  test("Seccomp is in filter mode by default", () => {
    expect(sb.box(["busybox", "grep", "^Seccomp:", "/proc/self/status"]).stdout).toBe("Seccomp:\t2\n");
  });
});

// Hostile images: rootfs directories made from dist/busybox.tar.zst and then altered.
function rootfs(name: string): string {
  const dir = `${work}/images/${name}`;
  mkdirSync(dir, { recursive: true });
  const tar = Bun.spawnSync(["tar", "-x", "-C", dir], { stdin: Bun.zstdDecompressSync(readFileSync(IMAGE_TAR)) });
  if (tar.exitCode !== 0) throw new Error(`tar: ${tar.stderr}`);
  return dir;
}

describe("hostile images", () => {
  test.each(["proc", "dev", "sys"])("/%s as a symlink in the image: refused, exit 125, one line", (dir) => {
    const img = rootfs(`symlink-${dir}`);
    rmSync(`${img}/${dir}`, { recursive: true, force: true });
    symlinkSync("/etc", `${img}/${dir}`);
    const r = sb.run(["run", "--rm", img, "true"]);
    expect(r.code).toBe(125);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^bunbox: [^\\n]*/${dir}[^\\n]* symlink[^\\n]*\\n$`));
    expect(sb.leftovers()).toEqual([]);
  });

  test("a relative /proc symlink that climbs out (../../../../proc) is refused too", () => {
    const img = rootfs("symlink-proc-relative");
    rmSync(`${img}/proc`, { recursive: true, force: true });
    symlinkSync("../../../../../../../../proc", `${img}/proc`);
    const r = sb.run(["run", "--rm", img, "true"]);
    expect([r.code, r.stdout, r.stderr.split("\n").length]).toEqual([125, "", 2]);
  });

  test("CVE-2025-31133: /dev/null in the image is a symlink; masks still use a real /dev/null", () => {
    const img = rootfs("devnull-symlink");
    symlinkSync("../proc/sys/kernel/panic", `${img}/dev/null`);
    const r = sb.box([img, "sh", "-c", "stat -c '%F %t:%T' /proc/keys /dev/null; cat /proc/keys /proc/timer_list"]);
    expect([r.code, r.stdout]).toEqual([0, "character special file 1:3\ncharacter special file 1:3\n"]);
    expect(readFileSync("/proc/sys/kernel/panic", "utf8")).toBe(before.panic);
  });

  test.each([
    ["absolute", (h: string) => h],
    ["relative, climbing out", (h: string) => `../../../../../../../..${h}`],
  ])("a volume whose target in the image is a symlink (%s) to a host path: the bind lands inside", (_, link) => {
    // The link points at a real host directory; string-joining rootfs + "/data" and mounting there
    // would follow it on the host. The bind must land on the same path *inside* the rootfs.
    const hostDir = mkdtempSync("/tmp/bunbox-attack-hostdir-");
    writeFileSync(`${hostDir}/host-file`, "host\n");
    const vol = mkdtempSync(`${work}/vol-`);
    writeFileSync(`${vol}/vol-file`, "vol\n");
    const img = rootfs(`volume-${_.split(",")[0]}`);
    symlinkSync(link(hostDir), `${img}/data`);
    try {
      const r = sb.box(["-v", `${vol}:/data`, img, "sh", "-c", `ls /data; ls ${hostDir}; echo from-container > /data/written`]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "vol-file\nvol-file\n", ""]);
      expect(readFileSync(`${vol}/written`, "utf8")).toBe("from-container\n");
      expect(Bun.spawnSync(["ls", hostDir]).stdout.toString()).toBe("host-file\n");
      expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(hostDir);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });
});

// CVE-2019-5736. The container runs /proc/self/exe: the init stage resolves it as itself, so a
// runtime that execve's the user's command with its own binary still mapped lets the container
// run -- and keep an O_PATH fd to -- the host binary, and reopen it for writing once no runtime
// process executes it (here: after the `bunbox run` parent is killed). Played against a copy of
// dist/bunbox; the probe only opens, never writes.
describe("CVE-2019-5736: the host runtime binary is never reachable for writing", () => {
  test("no process visible in the container runs the runtime binary or has a writable exe", () => {
    const r = sb.box(["-v", `${probeDir}:/probe:ro`, ...PROBE_ENV(), "busybox", "sh", "-c",
      "/probe/probe exe-write; for p in /proc/[0-9]*/exe; do (echo > $p) 2>/dev/null && echo WROTE $p; done; true"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^exe-write: \d+ processes, 0 run the runtime binary, 0 exe writable\n$/);
    expect(sha256(BIN)).toBe(before.bunbox);
  });

  test("/proc/self/exe as the command does not hand the container the host binary", async () => {
    // The image needs glibc for the binary to run at all: copy the loader and the libraries.
    const img = rootfs("glibc");
    const copy = `${work}/bunbox-copy`;
    copyFileSync(BIN, copy);
    chmodSync(copy, 0o755);
    const hash = sha256(copy);
    const ldd = Bun.spawnSync(["ldd", copy]).stdout.toString();
    for (const lib of ldd.matchAll(/(\/\S+\.so[.\d]*)/g)) {
      mkdirSync(`${img}${lib[1]!.replace(/\/[^/]+$/, "")}`, { recursive: true });
      copyFileSync(lib[1]!, `${img}${lib[1]}`);
    }
    // The probe reports into a file: its output through the killed bunbox would be lost
    const outDir = mkdtempSync(`${work}/out-5736-`);
    const report = () => (existsSync(`${outDir}/report`) ? readFileSync(`${outDir}/report`, "utf8") : "");
    // Detached: an attached run's container dies with its bunbox (PR_SET_PDEATHSIG); a -d one's
    // outlives its monitor, the last bunbox process running the binary, once that is killed
    const root = `${work}/root-5736`;
    const started = Bun.spawnSync([copy, "run", "-d", "-e", "BUN_BE_BUN=1", "-e", "PROBE_WAIT=5", "-e", `PROBE_EXE=${devOf(copy)}`, "-e", "PROBE_OUT=/out/report",
      "-v", `${probeDir}:/probe:ro`, "-v", `${outDir}:/out`, img, "/proc/self/exe", "/probe/exe-payload.js"], {
      env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: root }, stdout: "pipe", stderr: "pipe",
    });
    expect(started.exitCode).toBe(0);
    const id = started.stdout.toString().trim();
    // Once the payload holds the fd and waits, kill the monitor: the binary is no longer busy.
    for (const deadline = Date.now() + 15_000 * SLOW; !report().includes("reopen-wr: ready") && Date.now() < deadline;) await Bun.sleep(20);
    const monitor = JSON.parse(readFileSync(`${root}/run/${id}/state.json`, "utf8")).watcherPid as number;
    process.kill(monitor, "SIGKILL");
    for (const deadline = Date.now() + 10_000 * SLOW; !/reopen-wr: (?!ready)/.test(report()) && Date.now() < deadline;) await Bun.sleep(20);
    const out = report();
    Bun.spawnSync([BIN, "rm", "-f", id], { env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: root } });
    // Secure outcome: the binary can never be opened for writing. bunbox starts its stages through
    // a read-only bind mount of itself (runtime/sealed-self.ts), so the container may execute the
    // host binary through /proc/self/exe (as it could read a public file) but a reopen for
    // writing fails with EROFS, even after every bunbox process is gone.
    expect(out).not.toContain("reopen-wr: OK");
    expect(out).toContain("reopen-wr: EROFS");
    expect(sha256(copy)).toBe(hash);
  }, 30_000 * SLOW);
});

describe("the terminal bunbox runs in (CVE-2017-5226: TIOCSTI)", () => {
  // `script` gives bunbox a pty as its controlling terminal, as an interactive shell does. Without
  // -t the container must not share it: with a controlling terminal, ioctl(TIOCSTI) on /dev/tty
  // pushes keystrokes into the user's shell, to be run after the container exits.
  const CHECK = `(: > /dev/tty) 2>/dev/null && echo "has a controlling terminal" || echo "no controlling terminal"`;
  const inTerminal = (command: string) => {
    const r = Bun.spawnSync(["script", "-qec", command, "/dev/null"], {
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1", BUNBOX_ROOT: sb.root, TERM: "dumb" }, stdin: "ignore", timeout: 30_000 * SLOW,
    });
    return { code: r.exitCode, out: r.stdout.toString().replaceAll("\r", "") };
  };

  test("run without -t: a session of its own, no controlling terminal", () => {
    const host = inTerminal(`/bin/sh -c '${CHECK}'`);
    expect(host.out).toBe("has a controlling terminal\n"); // the check works: the shell outside has one
    expect(inTerminal(`${BIN} run --rm busybox sh -c '${CHECK}'`)).toEqual({ code: 0, out: "no controlling terminal\n" });
  });

  test("exec without -t: the same", () => {
    expect(sb.run(["run", "-d", "--name", "tty-probe", "busybox", "sleep", String(30 * SLOW)]).code).toBe(0);
    try {
      expect(inTerminal(`${BIN} exec tty-probe sh -c '${CHECK}'`)).toEqual({ code: 0, out: "no controlling terminal\n" });
    } finally {
      sb.run(["rm", "-f", "tty-probe"]);
    }
  });
});

describe("exec -u reads the running container's /etc/passwd, which the container controls", () => {
  test("resolved inside its root, read through one fd: a symlink cannot reach a host file, a fifo cannot block bunbox", () => {
    // The same path on the host holds another account: only the container's may be used
    const hostPw = `${work}/pw-${process.pid}`;
    writeFileSync(hostPw, "bob:x:1111:1111::/FROM-THE-HOST:/bin/sh\n");
    expect(sb.run(["run", "-d", "--name", "pw", "busybox", "sh", "-c",
      `mkdir -p ${work} && echo 'bob:x:4242:4242::/home/bob:/bin/sh' > ${hostPw} && ln -sf ${hostPw} /etc/passwd && rm /etc/group && mkfifo /etc/group && sleep ${30 * SLOW}`]).code).toBe(0);
    try {
      let r = sb.run(["exec", "-u", "bob", "pw", "sh", "-c", "echo $(id -u) $HOME"]);
      for (let i = 0; i < 50 * SLOW && r.stderr.includes("unable to find user"); i++) {
        Bun.sleepSync(100); // the shell may not have made the link yet
        r = sb.run(["exec", "-u", "bob", "pw", "sh", "-c", "echo $(id -u) $HOME"]);
      }
      // /etc/group is a fifo now: read as empty (bob's group comes from passwd), never waited on
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "4242 /home/bob\n", ""]);
    } finally {
      sb.run(["rm", "-f", "pw"]);
    }
  });
});

describe("--init: bunbox stays PID 1", () => {
  test("every thread of it has the container's seccomp filter, and CAP_KILL alone of its capabilities (none was born before the setup)", () => {
    // Capabilities, seccomp, namespaces and root are per thread: a thread older than the setup
    // would keep the host's, and CAP_SYS_PTRACE would reach the host through /proc/1/task/<tid>/root
    const r = sb.box(["--init", "busybox", "sh", "-c", `sleep 1; for t in /proc/1/task/*; do grep -E "^(CapEff|Seccomp):" $t/status | tr -s "\\t\\n" "  "; echo; done | sort | uniq -c`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => l.trim().replace(/^\d+ /, ""));
    // Once the program runs, the init only passes signals on and reaps (init-and-output.test.ts)
    expect([...new Set(lines)]).toEqual(["CapEff: 0000000000000020 Seccomp: 2"]);
  });
});

describe("exec into a container that holds CAP_SYS_PTRACE", () => {
  test("its processes never find a process of bunbox with the host's root (it stays frozen while the exec stage starts)", async () => {
    // Harmless by construction: the container only tests whether a host-only file shows through
    // /proc/<pid>/root of the processes it can see
    const marker = `${work}/host-only-marker-${process.pid}`;
    writeFileSync(marker, "host\n");
    const scan = `while :; do for d in /proc/[0-9]*; do [ -e "$d/root${marker}" ] && echo "HIT $d"; done; done`;
    expect(sb.run(["run", "-d", "--name", "ptracer", "--cap-add", "SYS_PTRACE", "busybox", "sh", "-c", scan]).code).toBe(0);
    try {
      for (let i = 0; i < 10; i++) expect(sb.run(["exec", "ptracer", "true"]).code).toBe(0);
      const logs = sb.run(["logs", "ptracer"]);
      expect(logs.stdout + logs.stderr).toBe("");
    } finally {
      sb.run(["rm", "-f", "ptracer"]);
    }
  });
});

describe("exec and the freezer", () => {
  test("exec into a paused container is refused (with or without CAP_SYS_PTRACE); concurrent execs run and leave it running", async () => {
    // (running for as long as the test may take: in a TCG VM the execs below outlast a 'sleep 30')
    expect(sb.run(["run", "-d", "--name", "fz-pt", "--cap-add", "SYS_PTRACE", "busybox", "sleep", String(60 * SLOW)]).code).toBe(0);
    expect(sb.run(["run", "-d", "--name", "fz-plain", "busybox", "sleep", String(60 * SLOW)]).code).toBe(0);
    try {
      expect(sb.run(["pause", "fz-pt", "fz-plain"]).code).toBe(0);
      for (const name of ["fz-pt", "fz-plain"]) {
        expect(sb.run(["exec", name, "true"])).toEqual({ code: 1, stdout: "", stderr: `bunbox: container ${name} is paused, unpause the container before exec\n` });
      }
      // The refusals thawed nothing
      expect(sb.run(["ps"]).stdout.match(/\(Paused\)/g)?.length).toBe(2);
      expect(sb.run(["unpause", "fz-pt", "fz-plain"]).code).toBe(0);
      // Three at once into the CAP_SYS_PTRACE one: each waits for the others' freeze windows
      const procs = ["a", "b", "c"].map((x) => Bun.spawn([BIN, "exec", "fz-pt", "echo", x], { env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root }, stdout: "pipe", stderr: "pipe" }));
      const outs = await Promise.all(procs.map(async (p) => [await p.exited, (await new Response(p.stdout).text()).trim(), await new Response(p.stderr).text()]));
      expect(outs).toEqual([[0, "a", ""], [0, "b", ""], [0, "c", ""]]);
      expect(sb.run(["ps"]).stdout).not.toContain("Paused");
      // An exec killed (-9) inside its window leaves the container frozen and its marker: the next
      // exec undoes that freeze (made here by hand: pause plus the marker)
      const id = JSON.parse(sb.run(["inspect", "fz-pt"]).stdout)[0].Id;
      expect(sb.run(["pause", "fz-pt"]).code).toBe(0);
      writeFileSync(`${sb.root}/run/${id}/exec-freeze.lock.frozen`, "");
      expect(sb.run(["exec", "fz-pt", "echo", "thawed"])).toEqual({ code: 0, stdout: "thawed\n", stderr: "" });
      expect(sb.run(["ps"]).stdout).not.toContain("Paused");
    } finally {
      sb.run(["rm", "-f", "fz-pt", "fz-plain"]);
    }
  });
});

describe("more of security.md, end to end", () => {
  test("--security-opt seccomp=PROFILE.json: the container gets that profile (mkdir answers EACCES)", () => {
    const profile = `${work}/deny-mkdir.json`;
    writeFileSync(profile, JSON.stringify({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13 }],
    }));
    const r = sb.box(["--security-opt", `seccomp=${profile}`, "busybox", "sh", "-c", "mkdir /x; grep Seccomp: /proc/self/status"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "Seccomp:\t2\n", "mkdir: can't create directory '/x': Permission denied\n"]);
  });

  test("a profile that refuses setsid still runs a container: the session comes before the filter, as in runc", () => {
    const profile = `${work}/deny-setsid.json`;
    writeFileSync(profile, JSON.stringify({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["setsid"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }] }));
    expect(sb.box(["--security-opt", `seccomp=${profile}`, "busybox", "echo", "runs"])).toEqual({ code: 0, stdout: "runs\n", stderr: "" });
  });

  test("CVE-2024-21626: -w /proc/self/fd/N never leaves the process outside its root", () => {
    for (let n = 3; n <= 12; n++) {
      const r = sb.box(["-w", `/proc/self/fd/${n}`, "busybox", "pwd", "-P"]);
      // Refused at setup (125, one line), or the container's own root (an fd of it): never a host
      // directory, never "(unreachable)"
      if (r.code === 125) expect(r.stderr.split("\n").length).toBe(2);
      else expect([r.code, r.stdout]).toEqual([0, "/\n"]);
    }
  });
});

// Issue 14 item 3. A bind and its read-only remount each resolved the target by path, and the
// source was followed through symlinks: a container sharing the parent volume that swaps names
// in a loop (renameat2 RENAME_EXCHANGE) moved the remount off the bind (the volume stayed
// writable) or put a symlink to the host's / where the source was (the host's / at the target).
describe("-v SRC:DST:ro while another container swaps names in the shared volume", () => {
  test("no start ends with the volume writable, or with anything but the volume at its target", () => {
    const vol = mkdtempSync(`${work}/shared-`);
    mkdirSync(`${vol}/sub`);
    writeFileSync(`${vol}/sub/vol-file`, "vol\n");
    symlinkSync("/", `${vol}/link`);
    mkdirSync(`${vol}/a`);
    mkdirSync(`${vol}/b`);
    // sub <-> link races the source; a <-> b races the target (/shared/a is inside the volume)
    expect(sb.run(["run", "-d", "--name", "swapper", "-v", `${vol}:/shared`, "-v", `${probeDir}:/probe:ro`, "busybox", "sh", "-c",
      `/probe/probe exchange /shared/sub /shared/link ${120 * SLOW} & /probe/probe exchange /shared/a /shared/b ${120 * SLOW}; wait`]).code).toBe(0);
    const seen: string[] = [];
    try {
      Bun.sleepSync(300);
      for (let i = 0; i < 40; i++) {
        const r = sb.box(["-v", `${vol}:/shared`, "-v", `${vol}/sub:/shared/a:ro`, "busybox", "sh", "-c",
          // cd first: a rename between a check by path and the write would write elsewhere
          `for d in a b; do (cd /shared/$d && [ -e vol-file ] && touch written) 2>/dev/null; done; grep -E ' /shared/[ab] ' /proc/self/mountinfo | cut -d' ' -f4,6`]);
        if (r.code !== 0) {
          // Refused (the source was a symlink at that moment): one line, nothing left behind
          expect([r.code, r.stderr.split("\n").length]).toEqual([125, 2]);
          seen.push("refused");
          continue;
        }
        // The one mount at /shared/a or /shared/b (wherever a rename has moved it since): the
        // volume's directory (now named sub, link, a or b), read-only
        const mounts = r.stdout.trim().split("\n");
        for (const m of mounts) seen.push(m.startsWith(`${vol}/`) && / ro,/.test(` ${m.split(" ")[1]}`) ? "the volume, ro" : `WRONG: ${m}`);
      }
    } finally {
      sb.run(["rm", "-f", "swapper"]);
    }
    expect(seen.filter((s) => s.startsWith("WRONG"))).toEqual([]);
    expect(seen).toContain("the volume, ro");
    // Nothing was written through a mount that should have been read-only
    expect(Bun.spawnSync(["find", vol, "-name", "written"]).stdout.toString()).toBe("");
  }, 120_000 * SLOW);

  test("a host mount below a :ro volume is read-only too (the read-only flag covers the whole tree)", () => {
    const vol = mkdtempSync(`${work}/rro-`);
    mkdirSync(`${vol}/below`);
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", `${vol}/below`]).exitCode).toBe(0);
    try {
      const r = sb.box(["-v", `${vol}:/data:ro`, "busybox", "sh", "-c", "touch /data/x /data/below/x 2>&1; true"]);
      expect([r.code, r.stdout]).toEqual([0, "touch: /data/x: Read-only file system\ntouch: /data/below/x: Read-only file system\n"]);
    } finally {
      Bun.spawnSync(["umount", `${vol}/below`]);
    }
  });

  test("a symlink in a bind source is refused with one line (it could be a swapped component)", () => {
    const vol = mkdtempSync(`${work}/symsrc-`);
    symlinkSync("/", `${vol}/link`);
    const r = sb.box(["-v", `${vol}/link:/data:ro`, "busybox", "ls", "/data"]);
    expect([r.code, r.stdout]).toEqual([125, ""]);
    expect(r.stderr).toMatch(/^bunbox: [^\n]*link[^\n]*without following symlinks[^\n]*ELOOP[^\n]*\n$/);
  });
});

// Issue 14 item 4. With CAP_SYS_ADMIN a container remounted its devices hierarchy rw (cgroup v1),
// wrote `a` to devices.allow, and opened a host device refused to it before; on cgroup v2 it could
// detach the device program from its own cgroup. Its processes now live in a child of the cgroup
// that carries the rules (src/cgroups/nesting.ts). NET_ADMIN too: the kernel asks for it before
// BPF_PROG_QUERY/DETACH on a cgroup (the v2 form of the attack); seccomp=unconfined: the cgroups
// alone must hold.
describe("--cap-add SYS_ADMIN cannot widen its own device rules", () => {
  test("devices.allow `a` and detaching the device program refused; a host device refused before and after (golden)", () => {
    const r = probe(["--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN", "--security-opt", "seccomp=unconfined"], ["mknod-loop-control", "devices-widen", "mknod-open", "mknod-loop-control"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toBe(golden("attacks/devices-widen.txt", r.stdout));
  });
});

// Issue 14 item 7. exec -t opened the container's /dev/ptmx, which the container controls, as
// root and (in a container holding CAP_SYS_PTRACE, frozen while the stage starts) before it was
// in the container's cgroup: a kmsg node (c 1 11) put there was opened past the device rules.
describe("exec -t into a container that replaced its pty devices", () => {
  // The containers stage the attack with mounts, which bunbox-default refuses where AppArmor is
  // on: out of its way (apparmor=unconfined), what is tested is exec's own check, on every host
  const start = (name: string, caps: string[], script: string) => {
    expect(sb.run(["run", "-d", "--name", name, "--security-opt", "apparmor=unconfined", ...caps.flatMap((c) => ["--cap-add", c]), "busybox", "sh", "-c",
      `${script} && touch /ready; sleep ${60 * SLOW}`]).code).toBe(0);
    let ready = false;
    for (let i = 0; i < 50 * SLOW && !(ready = sb.run(["exec", name, "test", "-e", "/ready"]).code === 0); i++) Bun.sleepSync(100);
    if (!ready) sb.run(["rm", "-f", name]);
    expect(ready).toBe(true); // the attack was staged
  };

  test("/dev/ptmx made a kmsg node: never opened, the pty comes from devpts's own ptmx", () => {
    start("ptmx-node", ["SYS_PTRACE", "MKNOD"], "rm /dev/ptmx && mknod -m 666 /dev/ptmx c 1 11");
    try {
      const r = sb.run(["exec", "-t", "ptmx-node", "tty"]);
      expect([r.code, r.stdout.replace(/\r/g, ""), r.stderr]).toEqual([0, "/dev/pts/0\n", ""]);
    } finally {
      sb.run(["rm", "-f", "ptmx-node"]);
    }
  });

  test.each([
    ["/dev/pts is a tmpfs holding a kmsg node as ptmx", "umount /dev/pts && mknod -m 666 /dev/pts/ptmx c 1 11", /\/dev\/pts is not a devpts filesystem/],
    ["a kmsg node is bound over /dev/pts/ptmx", "mknod -m 666 /k c 1 11 && mount --bind /k /dev/pts/ptmx", /something is mounted over \/dev\/pts\/ptmx/],
  ])("%s: refused with one line, exit 126, nothing opened", (_, script, why) => {
    start("ptmx-fs", ["SYS_PTRACE", "SYS_ADMIN", "MKNOD"], script);
    try {
      const r = sb.run(["exec", "-t", "ptmx-fs", "tty"]);
      expect([r.code, r.stdout]).toEqual([126, ""]);
      expect(r.stderr).toMatch(/^bunbox: exec failed at step "console": refused to open the container's pty: [^\n]*\n$/);
      expect(r.stderr).toMatch(why);
    } finally {
      sb.run(["rm", "-f", "ptmx-fs"]);
    }
  });

  test("exec without -i takes the host's /dev/null as stdin, never the container's node", () => {
    start("null-node", ["SYS_PTRACE", "MKNOD"], "rm /dev/null && mknod -m 666 /dev/null c 1 11");
    try {
      const r = sb.run(["exec", "null-node", "sh", "-c", "stat -L -c '%t:%T' /proc/self/fd/0"]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, "1:3\n", ""]);
    } finally {
      sb.run(["rm", "-f", "null-node"]);
    }
  });
});
