// `spec [--rootless] [--bundle B]`: writes runc's example config.json (sh in ./rootfs, with a tty).
import { existsSync, writeFileSync } from "../../sys/files.ts";
import { parseFlags, str, bool } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { RuntimeError } from "../../runtime/errors.ts";

const CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

export function exampleSpec(rootless: boolean): Record<string, unknown> {
  const spec = {
    ociVersion: "1.2.0",
    process: {
      terminal: true, user: { uid: 0, gid: 0 }, args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"], cwd: "/",
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }], noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "runc",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", ...(rootless ? [] : ["gid=5"])] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      rootless
        ? { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"] }
        : { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
    ],
    linux: {
      ...(rootless
        ? { uidMappings: [{ containerID: 0, hostID: process.getuid?.() ?? 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: process.getgid?.() ?? 1000, size: 1 }] }
        : { resources: { devices: [{ allow: false, access: "rwm" }] } }),
      namespaces: [{ type: "pid" }, { type: "network" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "cgroup" }, ...(rootless ? [{ type: "user" }] : [])],
      maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
  return spec;
}

export const spec: Subcommand = async (args) => {
  const { flags } = parseFlags(args, { bundle: { value: true, alias: ["b"] }, rootless: {} });
  const dir = str(flags.bundle) ?? ".";
  const path = `${dir}/config.json`;
  if (existsSync(path)) throw new RuntimeError("File config.json exists. Remove it first", 1);
  writeFileSync(path, JSON.stringify(exampleSpec(bool(flags.rootless)), null, "\t") + "\n");
  return 0;
};
