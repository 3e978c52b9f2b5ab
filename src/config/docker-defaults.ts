// What Docker 20.10 puts in a container's config.json by default (engine-contract.md), so that
// `bunbox run` containers look exactly like `docker run` ones.

import type { DeviceRule } from "./resources.ts";

/** Docker's is docker-default; bunbox generates and loads its own equivalent (linux/apparmor/profile.ts). */
export const DEFAULT_APPARMOR_PROFILE = "bunbox-default";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const DEFAULT_CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

export const MASKED_PATHS = [
  "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
  "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/proc/interrupts",
  "/sys/firmware", "/sys/devices/virtual/powercap",
];

export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** A mount as Docker writes it: every field given (a type alias, so it is a spec Mount as it is). */
export type MountEntry = {
  destination: string;
  type: string;
  source: string;
  options: string[];
};

export const DEFAULT_MOUNTS: MountEntry[] = [
  { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
  { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
  { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
  { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"] },
  { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
  { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"] },
];

/**
 * Device cgroup: deny everything, then allow what the default /dev nodes and ptys need (Docker's
 * list plus the rules runc adds for the nodes it creates: full 1:7, ptmx 5:2, pts 136:*).
 * mknod of any node is allowed (Docker's "c *:* m"/"b *:* m"); using it is not.
 */
export const DEVICE_RULES: DeviceRule[] = [
  { allow: false, access: "rwm" },
  { allow: true, type: "c", access: "m" },
  { allow: true, type: "b", access: "m" },
  ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2]].map(([major, minor]) => ({ allow: true, type: "c" as const, major, minor, access: "rwm" })),
  { allow: true, type: "c", major: 136, access: "rwm" },
];

/** Docker's /etc/hosts for a container with its own network namespace. */
export const HOSTS_FILE = [
  "127.0.0.1\tlocalhost",
  "::1\tlocalhost ip6-localhost ip6-loopback",
  "fe00::0\tip6-localnet",
  "ff00::0\tip6-mcastprefix",
  "ff02::1\tip6-allnodes",
  "ff02::2\tip6-allrouters",
  "",
].join("\n");

/**
 * The place and device rules of the cgroup of a run without --privileged, --cgroup-parent and
 * --cgroup-manager: all a cgroup needs before a process may be moved into it (main.ts makes it
 * before the flags are read; the other limits are written into it after).
 */
export function defaultCgroupOf(id: string): { cgroupsPath: string; devices: DeviceRule[] } {
  return { cgroupsPath: `bunbox/${id}`, devices: DEVICE_RULES };
}
