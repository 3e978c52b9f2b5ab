// The host probe: every fact from the files the kernel and the distribution expose, read on first
// use and once only, against a fake host that counts its reads.
import { describe, expect, test } from "bun:test";
import { probeHost, type ProbeReader } from "../../../src/host/probe.ts";

/** A host made of these files (text) and directories (a list of entries), counting each read. */
function fakeHost(files: Record<string, string | string[]>): ProbeReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: (p) => (reads.push(p), typeof files[p] === "string" ? (files[p] as string) : undefined),
    exists: (p) => (reads.push(p), p in files),
    list: (d) => (reads.push(d), Array.isArray(files[d]) ? (files[d] as string[]) : []),
  };
}

const CPU = "/sys/devices/system/cpu";
const DEBIAN: Record<string, string | string[]> = {
  "/proc/sys/kernel/hostname": "lab\n",
  "/proc/sys/kernel/osrelease": "6.1.0-18-amd64\n",
  "/proc/meminfo": "MemTotal:        4028180 kB\nMemFree:          123456 kB\n",
  "/proc/kcore": "",
  "/proc/sys/kernel/cap_last_cap": "40\n",
  "/proc/stat": "cpu  1 2 3 4\nintr 5\nbtime 1700000000\nprocesses 9\n",
  "/etc/resolv.conf": "nameserver 10.0.0.1\n",
  "/etc/hosts": "127.0.0.1 localhost lab\n",
  "/proc/self/mountinfo": "30 1 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
  "/proc/self/cgroup": "0::/user.slice\n",
  "/run/systemd/system": [],
  [CPU]: ["cpu10", "cpu2", "cpufreq", "online", "cpu0"],
  [`${CPU}/cpu0/thermal_throttle`]: [],
  [`${CPU}/cpu2/thermal_throttle`]: [],
  [`${CPU}/cpu10/thermal_throttle`]: [],
};

describe("the host probe", () => {
  test("reads nothing until a fact is asked for (bunbox --version pays nothing)", () => {
    const host = fakeHost(DEBIAN);
    probeHost(host);
    expect(host.reads).toEqual([]);
  });

  test("the files a spec copies, as the host has them", () => {
    const { files } = probeHost(fakeHost(DEBIAN));
    expect(files.hostname).toBe("lab");
    expect(files.resolvConf).toBe("nameserver 10.0.0.1\n");
    expect(files.hostsFile).toBe("127.0.0.1 localhost lab\n");
    // numeric order, and only the CPUs that have the directory
    expect(files.thermalThrottle).toEqual([`${CPU}/cpu0/thermal_throttle`, `${CPU}/cpu2/thermal_throttle`, `${CPU}/cpu10/thermal_throttle`]);
  });

  test("a host without resolv.conf, hosts or thermal_throttle (a minimal VM): empty, not an error", () => {
    const { files } = probeHost(fakeHost({ "/proc/sys/kernel/hostname": "vm\n" }));
    expect([files.resolvConf, files.hostsFile, files.thermalThrottle]).toEqual(["", "", []]);
  });

  test("kernel features: overlay's volatile from 5.10, /dev/core only with /proc/kcore", () => {
    expect(probeHost(fakeHost(DEBIAN)).kernel).toMatchObject({ release: "6.1.0-18-amd64", overlayVolatile: true, kcore: true });
    expect(probeHost(fakeHost({ "/proc/sys/kernel/osrelease": "5.4.0-150-generic\n" })).kernel).toMatchObject({ overlayVolatile: false, kcore: false });
  });

  test("the kernel's last capability (runc's check of a spec's capabilities); 40 where it cannot be read", () => {
    expect(probeHost(fakeHost(DEBIAN)).kernel.lastCap).toBe(40);
    expect(probeHost(fakeHost({ "/proc/sys/kernel/cap_last_cap": "37\n" })).kernel.lastCap).toBe(37);
    expect(probeHost(fakeHost({})).kernel.lastCap).toBe(40);
  });

  test("SELinux is on where its filesystem is mounted; the boot time from /proc/stat (0 if unreadable)", () => {
    expect(probeHost(fakeHost(DEBIAN)).selinux).toBe(false);
    expect(probeHost(fakeHost({ "/sys/fs/selinux/enforce": "1\n" })).selinux).toBe(true);
    expect(probeHost(fakeHost(DEBIAN)).bootTime).toBe(1700000000);
    expect(probeHost(fakeHost({})).bootTime).toBe(0);
  });

  test("the cgroup manager's inputs: this process's mounts and cgroup, and whether systemd is PID 1", () => {
    const probe = probeHost(fakeHost(DEBIAN));
    expect(probe.cgroupFiles).toEqual({ mountinfo: DEBIAN["/proc/self/mountinfo"] as string, selfCgroup: "0::/user.slice\n" });
    expect(probe.systemdBooted).toBe(true);
    expect(probeHost(fakeHost({})).systemdBooted).toBe(false);
  });

  test("the memory stats shows as the limit of a container without one", () => {
    expect(probeHost(fakeHost(DEBIAN)).memTotal).toBe(4028180 * 1024);
    expect(probeHost(fakeHost({})).memTotal).toBe(0);
  });

  test("the LSMs: AppArmor off on a host without its module", () => {
    expect(probeHost(fakeHost(DEBIAN)).appArmor.enabled).toBe(false);
  });

  test("each fact is read once, however often it is asked for", () => {
    const host = fakeHost(DEBIAN);
    const probe = probeHost(host);
    for (let i = 0; i < 3; i++) void [probe.files.hostname, probe.files.thermalThrottle, probe.kernel.overlayVolatile, probe.cgroupFiles, probe.systemdBooted];
    const counts = new Map<string, number>();
    for (const r of host.reads) counts.set(r, (counts.get(r) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.get("/proc/sys/kernel/hostname")).toBe(1);
  });
});
