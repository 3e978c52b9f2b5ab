// One probe of the host, built once per process by wiring.ts (or the monitor stage) and handed to
// whoever needs a fact: the cgroup layout's inputs and whether systemd runs (manager choice),
// kernel features, the LSMs, the CPUs and memory nodes resource flags are checked against, when
// it booted, and the files a container's spec copies. Every fact is read on first use and kept: `bunbox
// --version` reads nothing, `run` reads only what its flags need. Pure over a reader, so a test
// passes a fake host.
import { readdirSync } from "../sys/files.ts";
import { appArmorHost, realHostReader, type AppArmorHost, type HostReader } from "./apparmor.ts";
import { hostResources } from "./resources.ts";
import type { ResourceHost } from "../config/resource-flags.ts";

export interface ProbeReader extends HostReader {
  /** A directory's entries, [] when it cannot be read. */
  list(dir: string): string[];
}

export interface KernelFeatures {
  /** uname -r: "6.1.0-18-amd64". */
  readonly release: string;
  /** overlayfs knows the "volatile" option (5.10+): an --rm container's upper layer is never synced. */
  readonly overlayVolatile: boolean;
  /** /proc/kcore exists (CONFIG_PROC_KCORE): runc links /dev/core to it only then. */
  readonly kcore: boolean;
  /** /proc/sys/kernel/cap_last_cap: the highest capability this kernel knows (40, 5.9's, if unreadable). */
  readonly lastCap: number;
}

/** What a container's spec copies from the host (config/from-flags.ts HostFacts). */
export interface CopiedFiles {
  /** The host's hostname, for --network host. */
  readonly hostname: string;
  readonly resolvConf: string;
  readonly hostsFile: string;
  /** /sys/devices/system/cpu/cpu<N>/thermal_throttle that exist here (none in most VMs), masked as Docker masks them. */
  readonly thermalThrottle: string[];
}

export interface HostProbe {
  /** This process's /proc/self/mountinfo and /proc/self/cgroup: what cgroups/layout.ts reads the layout from. */
  readonly cgroupFiles: { readonly mountinfo: string; readonly selfCgroup: string };
  /** sd_booted(3): systemd is PID 1 exactly when /run/systemd/system exists. */
  readonly systemdBooted: boolean;
  readonly kernel: KernelFeatures;
  readonly appArmor: AppArmorHost;
  /** SELinux is on (its filesystem is mounted): bunbox applies no labels, and says which of the two is why. */
  readonly selinux: boolean;
  readonly resources: ResourceHost;
  /** MemTotal in bytes (0 if /proc/meminfo cannot be read): `stats` shows it as the limit of a container without one. */
  readonly memTotal: number;
  /** When the host booted, in seconds since the epoch (/proc/stat btime; 0 if unreadable): `top` dates processes from it. */
  readonly bootTime: number;
  readonly files: CopiedFiles;
  /** /etc/subuid and /etc/subgid ("" where absent): --userns auto maps root's range from them. */
  readonly subordinateIds: { readonly subuid: string; readonly subgid: string };
}

export function probeHost(r: ProbeReader = realProbeReader, sysfs = "/sys"): HostProbe {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, read: () => T): T => {
    if (!cache.has(key)) cache.set(key, read());
    return cache.get(key) as T;
  };
  const text = (path: string) => r.read(path) ?? "";
  const kernel: KernelFeatures = {
    get release() { return once("release", () => text("/proc/sys/kernel/osrelease").trim()); },
    get overlayVolatile() { return kernelAtLeast(this.release, 5, 10); },
    get kcore() { return once("kcore", () => r.exists("/proc/kcore")); },
    get lastCap() { return once("lastcap", () => lastCapOf(r.read("/proc/sys/kernel/cap_last_cap"))); },
  };
  const files: CopiedFiles = {
    // /proc rather than node:os, which costs ~1.3 ms to load (sys/files.ts says why that matters)
    get hostname() { return once("hostname", () => text("/proc/sys/kernel/hostname").trim()); },
    get resolvConf() { return once("resolv", () => text("/etc/resolv.conf")); },
    get hostsFile() { return once("hosts", () => text("/etc/hosts")); },
    get thermalThrottle() { return once("thermal", () => thermalThrottleDirs(r, `${sysfs}/devices/system/cpu`)); },
  };
  return {
    get cgroupFiles() { return once("cgroup", () => ({ mountinfo: text("/proc/self/mountinfo"), selfCgroup: text("/proc/self/cgroup") })); },
    get systemdBooted() { return once("systemd", () => r.exists("/run/systemd/system")); },
    kernel,
    get appArmor() { return once("apparmor", () => appArmorHost(r)); },
    get selinux() { return once("selinux", () => r.exists("/sys/fs/selinux/enforce")); },
    get resources() { return once("resources", () => hostResources(sysfs)); },
    get memTotal() { return once("memtotal", () => Number(/^MemTotal:\s+(\d+) kB/m.exec(text("/proc/meminfo"))?.[1] ?? 0) * 1024); },
    get bootTime() { return once("btime", () => Number(/^btime (\d+)/m.exec(text("/proc/stat"))?.[1] ?? 0)); },
    files,
    get subordinateIds() { return once("subids", () => ({ subuid: text("/etc/subuid"), subgid: text("/etc/subgid") })); },
  };
}

/** "6.1.0-18-amd64" at least major.minor. */
export function kernelAtLeast(release: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = release.split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor);
}

function lastCapOf(text: string | undefined): number {
  const n = Number(text?.trim() || NaN);
  return Number.isInteger(n) ? n : 40;
}

function thermalThrottleDirs(r: ProbeReader, base: string): string[] {
  return r.list(base).filter((d) => /^cpu\d+$/.test(d)).map((d) => `${base}/${d}/thermal_throttle`).filter((p) => r.exists(p))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
}

export const realProbeReader: ProbeReader = {
  ...realHostReader,
  list(dir) {
    try { return readdirSync(dir); } catch { return []; }
  },
};
