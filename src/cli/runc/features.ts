// `features`: what this runtime supports, in the runtime-spec features.json shape.
import type { Subcommand } from "./env.ts";
import { VERSION } from "../version.ts";
import { MOUNT_OPTIONS } from "../../linux/mounts/options.ts";
import { SECCOMP_FLAGS } from "../../config/seccomp.ts";

export const FEATURES = {
  ociVersionMin: "1.0.0",
  ociVersionMax: "1.2.0",
  hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
  // Each list is what the code that applies it knows, not a copy of runc's
  mountOptions: MOUNT_OPTIONS,
  linux: {
    namespaces: ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
    capabilities: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"],
    cgroup: { v1: true, v2: true, systemd: true, systemdUser: false, rdma: true },
    seccomp: {
      enabled: true,
      actions: ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"],
      operators: ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"],
      archs: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"],
      knownFlags: [...SECCOMP_FLAGS],
      // WAIT_KILLABLE_RECV needs a notify listener (SCMP_ACT_NOTIFY), which bunbox has not
      supportedFlags: SECCOMP_FLAGS.filter((f) => f !== "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
    },
    // Whether bunbox supports it (the runtime spec's meaning), not whether this host has it on
    apparmor: { enabled: true },
    // Labels are refused at create (no SELinux support yet), with or without SELinux on the host
    selinux: { enabled: false },
    intelRdt: { enabled: false },
    mountExtensions: { idmap: { enabled: false } },
  },
  annotations: { "org.opencontainers.runc.version": VERSION, "io.github.bunbox.runtime": "bunbox" },
};

export const features: Subcommand = async (_args, env) => {
  env.out(JSON.stringify(FEATURES, null, 2) + "\n");
  return 0;
};
