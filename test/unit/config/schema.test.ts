import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  LinuxResourcesSchema, ProcessSchema, SpecError, SpecSchema, isSupportedOciVersion, parseProcess,
  parseResources, parseSpec, safeParseProcess, safeParseResources, safeParseSpec,
  type LinuxResources, type Process, type Spec,
} from "../../../src/config/schema.ts";

const BUNDLES = join(import.meta.dir, "../../../fixtures/bundles");
const fixture = (name: string): any => JSON.parse(readFileSync(join(BUNDLES, `${name}.json`), "utf8"));

/** The message of the error parseSpec throws for `json`, or "ok". */
function specError(json: unknown, options?: Parameters<typeof parseSpec>[1]): string {
  const r = safeParseSpec(json, options);
  return r.success ? "ok" : r.error.message;
}

/** A Docker default config with one change applied. */
function docker(change: (s: any) => unknown): any {
  const s = fixture("docker-default");
  change(s);
  return s;
}

describe("configs written by real engines parse", () => {
  test("Docker 20.10 default (docker run --network none)", () => {
    const spec: Spec = parseSpec(fixture("docker-default"));
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(["mount", "network", "uts", "pid", "ipc"]);
    expect(spec.process?.capabilities?.bounding).toHaveLength(14);
    expect(spec.process?.capabilities?.inheritable).toBeUndefined();
    expect(spec.mounts?.map((m) => m.destination)).toEqual([
      "/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
      "/etc/resolv.conf", "/etc/hostname", "/etc/hosts",
    ]);
    expect(spec.hooks?.prestart?.[0]?.args?.[0]).toBe("libnetwork-setkey");
    expect(spec.linux?.sysctl).toEqual({
      "net.ipv4.ip_unprivileged_port_start": "0",
      "net.ipv4.ping_group_range": "0 2147483647",
    });
    const rules = spec.linux?.resources?.devices ?? [];
    expect(rules[0]).toEqual({ allow: false, access: "rwm" });
    expect(rules.slice(1).map((r) => `${r.type} ${r.major}:${r.minor}`)).toEqual([
      "c 1:5", "c 1:3", "c 1:9", "c 1:8", "c 5:0", "c 5:1",
    ]);
    // Docker writes 0 for "unset" weights and shares: accepted, not range-checked here.
    expect(spec.linux?.resources?.blockIO?.weight).toBe(0);
    const seccomp = spec.linux?.seccomp;
    expect(seccomp?.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(seccomp?.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    const clone = seccomp?.syscalls?.find((s) => s.names[0] === "clone");
    expect(clone?.args).toEqual([{ index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }]);
    expect(seccomp?.syscalls?.find((s) => s.names[0] === "clone3")?.errnoRet).toBe(38);
    expect(spec.linux?.maskedPaths).toContain("/proc/kcore");
    expect(spec.linux?.readonlyPaths).toEqual(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]);
  });

  test("runc spec (runc 1.1.5, ociVersion 1.0.2-dev)", () => {
    const spec = parseSpec(fixture("runc-default"));
    expect(spec.ociVersion).toBe("1.0.2-dev");
    expect(spec.root).toEqual({ path: "rootfs", readonly: true });
    expect(spec.process?.terminal).toBe(true);
    expect(spec.process?.rlimits).toEqual([{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }]);
    expect(spec.process?.capabilities?.ambient).toEqual(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]);
  });

  test("ctr run default (no seccomp, noNewPrivileges, tmpfs /run)", () => {
    const spec = parseSpec(fixture("ctr-default"));
    expect(spec.linux?.seccomp).toBeUndefined();
    expect(spec.process?.noNewPrivileges).toBe(true);
    expect(spec.mounts?.at(-1)).toEqual({
      destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
    });
  });

  test("a 1.2 config using every Linux field", () => {
    const spec = parseSpec(fixture("oci-1.2-full"));
    expect(spec.linux?.namespaces?.at(-1)).toEqual({ type: "time" });
    expect(spec.linux?.timeOffsets?.boottime).toEqual({ secs: -3600 });
    expect(spec.process?.scheduler?.policy).toBe("SCHED_OTHER");
    expect(spec.process?.ioPriority).toEqual({ class: "IOPRIO_CLASS_BE", priority: 4 });
    expect(spec.process?.execCPUAffinity?.final).toBe("0-3,7");
    expect(spec.mounts?.[2]?.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(spec.mounts?.[1]?.source).toBeUndefined();
    expect(spec.linux?.resources?.memory?.swap).toBe(-1);
    expect(spec.linux?.resources?.rdma?.mlx5_1).toEqual({ hcaHandles: 3, hcaObjects: 10000 });
    expect(spec.linux?.resources?.unified?.["memory.high"]).toBe("400000000");
    expect(spec.linux?.seccomp?.flags).toEqual(["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]);
    expect(spec.linux?.personality?.domain).toBe("LINUX");
    expect(spec.linux?.devices?.[2]).toEqual({ path: "/dev/myfifo", type: "p" });
    // RLIM_INFINITY (2^64-1) arrives as the double 2^64 and is accepted.
    expect(spec.process?.rlimits?.[1]?.hard).toBe(2 ** 64);
  });

  test("unknown keys and other platforms' sections are kept, not rejected", () => {
    const spec = parseSpec(fixture("oci-1.2-full")) as Record<string, any>;
    expect(spec["org.example.topLevel"]).toBe(42);
    expect(spec.windows).toEqual({ layerFolders: ["C:\\layers\\1"] });
    expect(spec.vm).toEqual({ kernel: { path: "/boot/vmlinuz" } });
    expect(spec.linux["org.example.extension"]).toEqual({ kept: true });
  });

  test("a missing process.user reads as root, as runc does", () => {
    const spec = parseSpec(docker((s) => delete s.process.user));
    expect(spec.process?.user).toEqual({ uid: 0, gid: 0 });
    const uid: number = spec.process!.user.uid; // the type says so too: no undefined to handle
    expect(uid).toBe(0);
    spec.process!.user.uid = 1000; // the default is a fresh object per parse, not shared
    expect(parseSpec(docker((s) => delete s.process.user)).process?.user.uid).toBe(0);
    const partial = parseSpec(docker((s) => (s.process.user = { uid: 1000 })));
    expect(partial.process?.user).toEqual({ uid: 1000, gid: 0 });
  });

  test("the input is not modified", () => {
    const input = docker((s) => delete s.process.user);
    const before = JSON.stringify(input);
    parseSpec(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe("ociVersion", () => {
  test.each(["1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.1.0", "1.2.0", "1.2.1", "1.2.0+dev"])("%s is accepted", (version) => {
    expect(isSupportedOciVersion(version)).toBe(true);
    expect(specError(docker((s) => (s.ociVersion = version)))).toBe("ok");
  });

  test.each([
    ["1.3.0", 'config.json: ociVersion: unsupported version "1.3.0" (bunbox reads 1.0.x to 1.2.x)'],
    ["2.0.0", 'config.json: ociVersion: unsupported version "2.0.0" (bunbox reads 1.0.x to 1.2.x)'],
    ["0.6.0", 'config.json: ociVersion: unsupported version "0.6.0" (bunbox reads 1.0.x to 1.2.x)'],
    ["1.0", 'config.json: ociVersion: unsupported version "1.0" (bunbox reads 1.0.x to 1.2.x)'],
    ["", 'config.json: ociVersion: unsupported version "" (bunbox reads 1.0.x to 1.2.x)'],
    [1.2, "config.json: ociVersion: expected a string"],
  ])("%p is rejected", (version, message) => {
    expect(specError(docker((s) => (s.ociVersion = version)))).toBe(message);
  });

  test("a missing ociVersion is named, before any other problem", () => {
    expect(specError(docker((s) => {
      delete s.ociVersion;
      s.process.args = "sh";
    }))).toBe("config.json: ociVersion: missing required field");
  });
});

// Each case: one change to Docker's default config and the exact message bunbox prints.
const MALFORMED: [string, (s: any) => unknown, string][] = [
  ["process.args is a string", (s) => (s.process.args = "sh -c true"),
    "config.json: process.args: expected an array of strings"],
  ["process.args holds a number", (s) => (s.process.args = ["sleep", 10]),
    "config.json: process.args.1: expected a string"],
  ["process.args is empty", (s) => (s.process.args = []),
    "config.json: process.args: must not be empty: the first entry is the program to run"],
  ["process.args is missing", (s) => delete s.process.args, "config.json: process.args: missing required field"],
  ["process.cwd is relative", (s) => (s.process.cwd = "app"),
    'config.json: process.cwd: cwd must be absolute, got "app"'],
  ["process.cwd is missing", (s) => delete s.process.cwd, "config.json: process.cwd: missing required field"],
  ["process is not an object", (s) => (s.process = ["sh"]), "config.json: process: expected an object"],
  ["process.user.uid is negative", (s) => (s.process.user.uid = -1),
    "config.json: process.user.uid: expected a uint32 (0 to 4294967295), got -1"],
  ["process.user.gid is too big", (s) => (s.process.user.gid = 4294967296),
    "config.json: process.user.gid: expected a uint32 (0 to 4294967295), got 4294967296"],
  ["process.user.uid is a string", (s) => (s.process.user.uid = "0"),
    'config.json: process.user.uid: expected a uint32 (0 to 4294967295), got "0"'],
  ["process.user.additionalGids has a fraction", (s) => (s.process.user.additionalGids = [10, 1.5]),
    "config.json: process.user.additionalGids.1: expected a uint32 (0 to 4294967295), got 1.5"],
  ["capability without CAP_ prefix", (s) => (s.process.capabilities.effective[3] = "FOWNER"),
    'config.json: process.capabilities.effective.3: expected a capability name like CAP_CHOWN, got "FOWNER"'],
  ["rlimit type misspelled", (s) => (s.process.rlimits = [{ type: "NOFILE", soft: 1, hard: 1 }]),
    'config.json: process.rlimits.0.type: expected a limit name like RLIMIT_NOFILE, got "NOFILE"'],
  ["rlimit without hard", (s) => (s.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1 }]),
    "config.json: process.rlimits.0.hard: missing required field"],
  ["rlimit given twice", (s) => (s.process.rlimits = [
    { type: "RLIMIT_NOFILE", soft: 1, hard: 1 }, { type: "RLIMIT_CORE", soft: 0, hard: 0 },
    { type: "RLIMIT_NOFILE", soft: 2, hard: 2 },
  ]), 'config.json: process.rlimits.2.type: duplicate rlimit "RLIMIT_NOFILE" (also at process.rlimits.0.type)'],
  ["oomScoreAdj out of range", (s) => (s.process.oomScoreAdj = 1001),
    "config.json: process.oomScoreAdj: expected an integer (-1000 to 1000), got 1001"],
  ["noNewPrivileges as a string", (s) => (s.process.noNewPrivileges = "true"),
    "config.json: process.noNewPrivileges: expected true or false"],
  ["ioPriority class unknown", (s) => (s.process.ioPriority = { class: "IOPRIO_CLASS_NONE" }),
    'config.json: process.ioPriority.class: invalid value "IOPRIO_CLASS_NONE" (expected one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)'],
  ["scheduler without policy", (s) => (s.process.scheduler = { nice: 1 }),
    "config.json: process.scheduler.policy: missing required field"],
  ["execCPUAffinity with letters", (s) => (s.process.execCPUAffinity = { initial: "cpu0" }),
    'config.json: process.execCPUAffinity.initial: expected a CPU list like 0-3,7, got "cpu0"'],
  ["root without path", (s) => (s.root = { readonly: true }), "config.json: root.path: missing required field"],
  ["root.path empty", (s) => (s.root.path = ""), "config.json: root.path: must not be empty"],
  ["mount destination relative", (s) => (s.mounts[3].destination = "sys"),
    'config.json: mounts.3.destination: mount destination must be absolute, got "sys"'],
  ["mount without destination", (s) => delete s.mounts[0].destination,
    "config.json: mounts.0.destination: missing required field"],
  ["mount options as a string", (s) => (s.mounts[1].options = "nosuid,mode=755"),
    "config.json: mounts.1.options: expected an array of strings"],
  ["mounts is an object", (s) => (s.mounts = { "/proc": "proc" }),
    "config.json: mounts: expected an array of mounts"],
  ["hook path relative", (s) => (s.hooks.prestart[0].path = "dockerd"),
    'config.json: hooks.prestart.0.path: hook path must be absolute, got "dockerd"'],
  ["hook timeout zero", (s) => (s.hooks.prestart[0].timeout = 0),
    "config.json: hooks.prestart.0.timeout: expected an integer (1 to 2147483647), got 0"],
  ["annotations with a number", (s) => (s.annotations = { "com.example.n": 1 }),
    'config.json: annotations["com.example.n"]: expected a string'],
  ["annotation key with a dash", (s) => (s.annotations = { "org.opencontainers.image.ref-name": false }),
    'config.json: annotations["org.opencontainers.image.ref-name"]: expected a string'],
  ["annotations as an array", (s) => (s.annotations = ["a=b"]),
    "config.json: annotations: expected an object of string values"],
  ["hostname is a number", (s) => (s.hostname = 42), "config.json: hostname: expected a string"],
  ["namespace type unknown", (s) => (s.linux.namespaces[2].type = "foo"),
    'config.json: linux.namespaces.2.type: invalid value "foo" (expected one of mount, network, uts, pid, ipc, user, cgroup, time)'],
  ["namespace type uppercase", (s) => (s.linux.namespaces[0].type = "NEWNS"),
    'config.json: linux.namespaces.0.type: invalid value "NEWNS" (expected one of mount, network, uts, pid, ipc, user, cgroup, time)'],
  ["namespace given twice", (s) => s.linux.namespaces.push({ type: "pid" }),
    'config.json: linux.namespaces.5.type: duplicate namespace "pid" (also at linux.namespaces.3.type)'],
  ["namespace path relative", (s) => (s.linux.namespaces[1].path = "proc/1/ns/net"),
    'config.json: linux.namespaces.1.path: namespace path must be absolute, got "proc/1/ns/net"'],
  ["hostname without a uts namespace", (s) => s.linux.namespaces.splice(2, 1),
    'config.json: hostname: cannot set the hostname without a uts namespace (add {"type":"uts"} to linux.namespaces)'],
  ["uid mappings without a user namespace", (s) => {
    s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
  }, 'config.json: linux.uidMappings: id mappings need a user namespace (add {"type":"user"} to linux.namespaces)'],
  ["new user namespace without mappings", (s) => s.linux.namespaces.push({ type: "user" }),
    "config.json: linux.namespaces.5: a new user namespace needs linux.uidMappings and linux.gidMappings"],
  ["id mapping without size", (s) => {
    s.linux.namespaces.push({ type: "user" });
    s.linux.uidMappings = [{ containerID: 0, hostID: 1000 }];
  }, "config.json: linux.uidMappings.0.size: missing required field"],
  ["time offsets without a time namespace", (s) => (s.linux.timeOffsets = { monotonic: { secs: 1 } }),
    'config.json: linux.timeOffsets: time offsets need a time namespace (add {"type":"time"} to linux.namespaces)'],
  ["time offset for an unknown clock", (s) => (s.linux.timeOffsets = { realtime: { secs: 1 } }),
    'config.json: linux.timeOffsets.realtime: invalid value "realtime" (expected one of monotonic, boottime)'],
  ["device type unknown", (s) => (s.linux.devices = [{ path: "/dev/x", type: "x", major: 1, minor: 1 }]),
    'config.json: linux.devices.0.type: invalid value "x" (expected one of c, b, u, p)'],
  ["char device without minor", (s) => (s.linux.devices = [{ path: "/dev/fuse", type: "c", major: 10 }]),
    'config.json: linux.devices.0.minor: missing required field (device type "c" needs major and minor)'],
  ["device path relative", (s) => (s.linux.devices = [{ path: "fuse", type: "c", major: 10, minor: 229 }]),
    'config.json: linux.devices.0.path: device path must be absolute, got "fuse"'],
  ["device rule without allow", (s) => delete s.linux.resources.devices[0].allow,
    "config.json: linux.resources.devices.0.allow: missing required field"],
  ["device rule type u (only for device nodes)", (s) => (s.linux.resources.devices[1].type = "u"),
    'config.json: linux.resources.devices.1.type: invalid value "u" (expected one of a, c, b)'],
  ["device rule access with x", (s) => (s.linux.resources.devices[1].access = "rwx"),
    'config.json: linux.resources.devices.1.access: expected some of the letters r, w, m, got "rwx"'],
  ["memory limit as a string", (s) => (s.linux.resources.memory.limit = "512m"),
    'config.json: linux.resources.memory.limit: expected an int64 (-9223372036854775808 to 9223372036854775807), got "512m"'],
  ["swappiness over 100", (s) => (s.linux.resources.memory.swappiness = 101),
    "config.json: linux.resources.memory.swappiness: expected an integer (0 to 100), got 101"],
  ["cpu shares negative", (s) => (s.linux.resources.cpu.shares = -2),
    "config.json: linux.resources.cpu.shares: expected a uint64 (0 to 18446744073709551615), got -2"],
  ["pids without limit", (s) => (s.linux.resources.pids = {}),
    "config.json: linux.resources.pids.limit: missing required field"],
  ["blkio weight over uint16", (s) => (s.linux.resources.blockIO.weight = 70000),
    "config.json: linux.resources.blockIO.weight: expected a uint16 (0 to 65535), got 70000"],
  ["throttle device without rate", (s) => (s.linux.resources.blockIO.throttleReadBpsDevice = [{ major: 8, minor: 0 }]),
    "config.json: linux.resources.blockIO.throttleReadBpsDevice.0.rate: missing required field"],
  ["hugepage size without unit", (s) => (s.linux.resources.hugepageLimits = [{ pageSize: "2", limit: 1 }]),
    'config.json: linux.resources.hugepageLimits.0.pageSize: expected a page size like 2MB or 1GB, got "2"'],
  ["unified value as a number", (s) => (s.linux.resources.unified = { "pids.max": 10 }),
    'config.json: linux.resources.unified["pids.max"]: expected a string'],
  ["sysctl value as a number", (s) => (s.linux.sysctl["net.ipv4.ip_unprivileged_port_start"] = 0),
    'config.json: linux.sysctl["net.ipv4.ip_unprivileged_port_start"]: expected a string'],
  ["seccomp without defaultAction", (s) => delete s.linux.seccomp.defaultAction,
    "config.json: linux.seccomp.defaultAction: missing required field"],
  ["seccomp action unknown", (s) => (s.linux.seccomp.syscalls[0].action = "SCMP_ACT_DENY"),
    'config.json: linux.seccomp.syscalls.0.action: invalid value "SCMP_ACT_DENY" (expected one of SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)'],
  ["seccomp arch without prefix", (s) => (s.linux.seccomp.architectures[1] = "x86"),
    'config.json: linux.seccomp.architectures.1: invalid value "x86" (expected one of SCMP_ARCH_X86, SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_ARM, SCMP_ARCH_AARCH64, SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_PPC, SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_S390, SCMP_ARCH_S390X, SCMP_ARCH_PARISC, SCMP_ARCH_PARISC64, SCMP_ARCH_RISCV64, SCMP_ARCH_LOONGARCH64, SCMP_ARCH_M68K, SCMP_ARCH_SH, SCMP_ARCH_SHEB)'],
  ["seccomp flag unknown", (s) => (s.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]),
    'config.json: linux.seccomp.flags.0: invalid value "SECCOMP_FILTER_FLAG_NEW_LISTENER" (expected one of SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)'],
  ["seccomp op unknown", (s) => (s.linux.seccomp.syscalls[8].args[0].op = "SCMP_CMP_AND"),
    'config.json: linux.seccomp.syscalls.8.args.0.op: invalid value "SCMP_CMP_AND" (expected one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)'],
  ["seccomp arg index past the sixth register", (s) => (s.linux.seccomp.syscalls[1].args[0].index = 6),
    "config.json: linux.seccomp.syscalls.1.args.0.index: expected an integer (0 to 5), got 6"],
  ["seccomp arg value negative", (s) => (s.linux.seccomp.syscalls[1].args[0].value = -1),
    "config.json: linux.seccomp.syscalls.1.args.0.value: expected a uint64 (0 to 18446744073709551615), got -1"],
  ["seccomp rule without names", (s) => (s.linux.seccomp.syscalls[6].names = []),
    "config.json: linux.seccomp.syscalls.6.names: must name at least one syscall"],
  ["errnoRet on an allow rule", (s) => (s.linux.seccomp.syscalls[6].errnoRet = 1),
    "config.json: linux.seccomp.syscalls.6.errnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"],
  ["defaultErrnoRet with a kill default", (s) => (s.linux.seccomp.defaultAction = "SCMP_ACT_KILL_PROCESS"),
    "config.json: linux.seccomp.defaultErrnoRet: only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL_PROCESS"],
  ["SCMP_ACT_NOTIFY without listenerPath", (s) => (s.linux.seccomp.syscalls[7].action = "SCMP_ACT_NOTIFY"),
    "config.json: linux.seccomp.listenerPath: missing required field (SCMP_ACT_NOTIFY is used at linux.seccomp.syscalls.7.action)"],
  ["rootfsPropagation unknown", (s) => (s.linux.rootfsPropagation = "recursive"),
    'config.json: linux.rootfsPropagation: invalid value "recursive" (expected one of private, shared, slave, unbindable, rprivate, rshared, rslave, runbindable)'],
  ["masked path relative", (s) => (s.linux.maskedPaths[2] = "proc/kcore"),
    'config.json: linux.maskedPaths.2: masked path must be absolute, got "proc/kcore"'],
  ["readonlyPaths as a string", (s) => (s.linux.readonlyPaths = "/proc/sys"),
    "config.json: linux.readonlyPaths: expected an array of absolute paths"],
  ["personality domain unknown", (s) => (s.linux.personality = { domain: "LINUX64" }),
    'config.json: linux.personality.domain: invalid value "LINUX64" (expected one of LINUX, LINUX32)'],
  ["linux is an array", (s) => (s.linux = []), "config.json: linux: expected an object"],
];

describe("malformed configs name the JSON path of the first problem", () => {
  test.each([[["not", "a", "spec"]], ["{}"], [null], [undefined]])("document %p is not an object", (json) => {
    expect(specError(json)).toBe("config.json: expected an object");
  });

  test.each(MALFORMED)("%s", (_name, change, message) => {
    expect(specError(docker(change))).toBe(message);
  });
});

describe("SpecError", () => {
  test("parseSpec throws it with the source, the path and every issue", () => {
    const json = docker((s) => {
      s.process.user.uid = -1;
      s.linux.namespaces[0].type = "mnt";
    });
    let caught: unknown;
    try {
      parseSpec(json);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const err = caught as SpecError;
    expect(err.name).toBe("SpecError");
    expect(err.source).toBe("config.json");
    expect(err.path).toBe("process.user.uid");
    expect(err.issues.map((i) => i.path)).toEqual(["process.user.uid", "linux.namespaces.0.type"]);
  });

  test("the source name is the caller's", () => {
    expect(specError(docker((s) => (s.hostname = 1)), { source: "/b/config.json" })).toBe(
      "/b/config.json: hostname: expected a string",
    );
  });

  test("create (the default) needs process and root; readers of a stored bundle may skip them", () => {
    const bare = { ociVersion: "1.0.2", linux: { namespaces: [{ type: "pid" }] } };
    expect(specError(bare)).toBe("config.json: root: missing required field");
    expect(specError({ ...bare, root: { path: "rootfs" } })).toBe("config.json: process: missing required field");
    expect(specError(bare, { create: false })).toBe("ok");
  });
});

describe("process for `runc exec --process`", () => {
  // What containerd-shim-runc-v2 writes for `docker exec -it c sh`.
  const execProcess = () => ({
    terminal: true,
    consoleSize: { height: 40, width: 120 },
    user: { uid: 0, gid: 0 },
    args: ["sh"],
    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=3f4e8b1c9d2a", "TERM=xterm"],
    cwd: "/",
    capabilities: fixture("docker-default").process.capabilities,
    apparmorProfile: "docker-default",
  });

  test("a docker exec process parses", () => {
    const p: Process = parseProcess(execProcess());
    expect(p.args).toEqual(["sh"]);
    expect(p.consoleSize).toEqual({ height: 40, width: 120 });
    expect(safeParseProcess(execProcess()).success).toBe(true);
  });

  test.each([
    [(p: any) => (p.args = []), "process.json: args: must not be empty: the first entry is the program to run"],
    [(p: any) => (p.user.uid = "root"), 'process.json: user.uid: expected a uint32 (0 to 4294967295), got "root"'],
    [(p: any) => delete p.cwd, "process.json: cwd: missing required field"],
    [(p: any) => (p.consoleSize = { height: 40 }), "process.json: consoleSize.width: missing required field"],
    [(p: any) => (p.rlimits = [{ type: "RLIMIT_NPROC", soft: 1, hard: 1 }, { type: "RLIMIT_NPROC", soft: 2, hard: 2 }]),
      'process.json: rlimits.1.type: duplicate rlimit "RLIMIT_NPROC" (also at rlimits.0.type)'],
  ])("%#: %p", (change, message) => {
    const p = execProcess();
    change(p);
    const r = safeParseProcess(p);
    expect(r.success ? "ok" : r.error.message).toBe(message);
  });

  test("parseProcess throws SpecError with the caller's source", () => {
    expect(() => parseProcess("sh", "/tmp/p.json")).toThrow("/tmp/p.json: expected an object");
  });
});

describe("resources for `runc update --resources -`", () => {
  // What `docker update --memory 512m --cpus 1.5 --pids-limit 100` sends on stdin.
  const update = () => ({
    memory: { limit: 536870912, reservation: 0, swap: 1073741824 },
    cpu: { shares: 0, quota: 150000, period: 100000, cpus: "", mems: "" },
    pids: { limit: 100 },
    blockIO: { weight: 0 },
  });

  test("a docker update document parses", () => {
    const r: LinuxResources = parseResources(update());
    expect(r.memory?.limit).toBe(536870912);
    expect(r.cpu?.quota).toBe(150000);
  });

  test("-1 means unlimited for int64 limits", () => {
    expect(parseResources({ memory: { limit: -1, swap: -1 }, pids: { limit: -1 } }).pids?.limit).toBe(-1);
  });

  test.each([
    [(r: any) => (r.memory.limit = 1.5), "resources: memory.limit: expected an int64 (-9223372036854775808 to 9223372036854775807), got 1.5"],
    [(r: any) => (r.cpu.quota = "150000"), 'resources: cpu.quota: expected an int64 (-9223372036854775808 to 9223372036854775807), got "150000"'],
    [(r: any) => (r.pids = { limit: null }), "resources: pids.limit: expected an int64 (-9223372036854775808 to 9223372036854775807), got null"],
    [(r: any) => (r.cpu = 2), "resources: cpu: expected an object"],
  ])("%#: %p", (change, message) => {
    const r = update();
    change(r);
    const result = safeParseResources(r);
    expect(result.success ? "ok" : result.error.message).toBe(message);
  });
});

describe("exports", () => {
  test("ProcessSchema and LinuxResourcesSchema validate the parts on their own", () => {
    const docker = fixture("docker-default");
    expect(v.safeParse(ProcessSchema, docker.process).success).toBe(true);
    expect(v.safeParse(LinuxResourcesSchema, docker.linux.resources).success).toBe(true);
    expect(v.safeParse(SpecSchema, docker).success).toBe(true);
    expect(v.safeParse(ProcessSchema, { ...docker.process, args: [] }).success).toBe(false);
  });
});
