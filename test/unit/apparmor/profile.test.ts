// The generated bunbox-default profile: a golden of its text, and its deny globs checked against
// real names by a small AppArmor-glob matcher (what the kernel's compiled DFA decides).
import { describe, expect, test } from "bun:test";
import { defaultProfile } from "../../../src/linux/apparmor/profile.ts";
import { otherNames, alternation } from "../../../src/linux/apparmor/globs.ts";
import { golden } from "../../golden.ts";

/** AppArmor's glob syntax as a RegExp: * and ? stop at '/', ** does not, {a,b}, [^x]. */
function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") { re += ".*"; i++; }
    else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "{") re += "(?:";
    else if (c === "}") re += ")";
    else if (c === ",") re += "|";
    else if (c === "[") { const end = glob.indexOf("]", i); re += glob.slice(i, end + 1); i = end; }
    else re += c.replace(/[.+^$()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const denied = (globs: string[], name: string) => globToRegExp(alternation(globs)).test(name);

describe("globs for every name but the kept ones", () => {
  test("/proc/sys/kernel: all but the IPC-namespace sysctls", () => {
    const globs = otherNames({ prefixes: ["msg", "sem", "shm"] });
    const kept = ["shmmax", "shmall", "shm_rmid_forced", "shm_next_id", "msgmax", "msgmnb", "msg_next_id", "sem", "sem_next_id"];
    const refused = ["core_pattern", "modprobe", "modules_disabled", "sched_child_runs_first", "sysrq", "s", "m", "sh", "se", "ms", "msq", "seccomp", "hostname", "panic", "hung_task_panic", "mseg"];
    expect(kept.filter((n) => denied(globs, n))).toEqual([]);
    expect(refused.filter((n) => !denied(globs, n))).toEqual([]);
  });
  test("/proc: all but process directories and sys", () => {
    const globs = otherNames({ prefixes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], exact: ["sys"] });
    expect(alternation(globs)).toBe("{[^0-9s]*,s,s[^y]*,sy,sy[^s]*,sys?*}");
    expect(["1", "42", "31337", "sys"].filter((n) => denied(globs, n))).toEqual([]);
    expect(["self", "sysvipc", "sysrq-trigger", "fs", "irq", "bus", "s", "sy", "tty", "driver"].filter((n) => !denied(globs, n))).toEqual([]);
  });
  test("exactly one name: kernel, cgroup", () => {
    const globs = otherNames({ exact: ["cgroup"] });
    expect(["bpf", "c", "cg", "cgroup2", "cgroupx", "fuse", "pstore"].filter((n) => !denied(globs, n))).toEqual([]);
    expect(denied(globs, "cgroup")).toBe(false);
  });
});

describe("bunbox-default", () => {
  test("on a host with the distribution's includes (golden)", () => {
    const { text } = defaultProfile({ includes: { tunables: true, base: true } });
    expect(text).toBe(golden("apparmor/bunbox-default.txt", text));
  });
  test("without them: @{PROC} defined inline, no base abstraction; a different revision", () => {
    const bare = defaultProfile({ includes: { tunables: false, base: false } });
    const full = defaultProfile({ includes: { tunables: true, base: true } });
    expect(bare.text).toContain("\n@{PROC}=/proc/\n");
    expect(bare.text).not.toContain("#include");
    expect(bare.revision).not.toBe(full.revision);
    expect(bare.text).toContain(`  profile rev-${bare.revision} {\n  }\n}\n`);
  });
  test("a confined bunbox may still signal its containers", () => {
    const { text } = defaultProfile({ includes: { tunables: true, base: true }, runtimeLabel: "bunbox-host" });
    expect(text).toContain("  signal (receive) peer=unconfined,\n  signal (receive) peer=bunbox-host,\n");
  });
  test("the rules apply as meant to sample paths", () => {
    const { text } = defaultProfile({ includes: { tunables: true, base: true } });
    const denies = [...text.matchAll(/^  deny (\S+) (\w+),$/gm)].map((m) => ({ re: globToRegExp(m[1]!.replace("@{PROC}", "/proc")), perms: m[2]! }));
    const writeDenied = (path: string) => denies.some((d) => d.perms.includes("w") && d.re.test(path));
    const readDenied = (path: string) => denies.some((d) => d.perms.includes("r") && d.re.test(path));
    expect(["/proc/1/attr/apparmor/exec", "/proc/7/oom_score_adj", "/proc/sys/kernel/shmmax", "/proc/sys/kernel/msgmnb", "/proc/sys/kernel/sem", "/sys/fs/cgroup/memory.max"].filter(writeDenied)).toEqual([]);
    expect(["/proc/sysrq-trigger", "/proc/sys/kernel/core_pattern", "/proc/sys/kernel/random/uuid", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/vm/drop_caches", "/proc/irq/0/smp_affinity", "/proc/fs/nfsd/threads", "/proc/sysvipc/shm", "/sys/kernel/mm/ksm/run", "/sys/class/net/lo/mtu", "/sys/fs/ext4/features/x", "/sys/fs/bpf/x", "/sys/devices/system/cpu/cpu0/online"].filter((p) => !writeDenied(p))).toEqual([]);
    expect(["/proc/kcore", "/proc/sysrq-trigger", "/sys/firmware/efi/efivars/x", "/sys/kernel/security/apparmor/profiles", "/sys/devices/virtual/powercap/intel-rapl/x"].filter((p) => !readDenied(p))).toEqual([]);
    expect(["/proc/cpuinfo", "/proc/1/status", "/sys/class/net/lo/mtu"].filter(readDenied)).toEqual([]);
  });
});
