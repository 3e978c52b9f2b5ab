// Syscall numbers and constants that differ per architecture. glibc has no wrapper for some calls
// (pivot_root, seccomp's filter mode with flags, pidfd_open, close_range, keyctl, the mount API,
// openat2, getdents64), so we reach them through syscall(2) and need the numbers for the machine
// we run on.

export type Arch = "x86_64" | "aarch64";

export const ARCH: Arch = process.arch === "arm64" ? "aarch64" : "x86_64";

const NUMBERS = {
  x86_64: { getdents64: 217, pread64: 17, bpf: 321, pivot_root: 155, seccomp: 317, pidfd_open: 434, close_range: 436, openat2: 437, gettid: 186, pidfd_send_signal: 424, keyctl: 250, ioctl: 16, open_tree: 428, move_mount: 429, mount_setattr: 442 },
  aarch64: { getdents64: 61, pread64: 67, bpf: 280, pivot_root: 41, seccomp: 277, pidfd_open: 434, close_range: 436, openat2: 437, gettid: 178, pidfd_send_signal: 424, keyctl: 219, ioctl: 29, open_tree: 428, move_mount: 429, mount_setattr: 442 },
} as const;

export const SYS = NUMBERS[ARCH];

/** open(2) flags that differ per architecture (x86 vs asm-generic, which aarch64 uses). */
const OPEN_FLAGS = {
  x86_64: { DIRECTORY: 0o200000, NOFOLLOW: 0o400000 },
  aarch64: { DIRECTORY: 0o40000, NOFOLLOW: 0o100000 },
} as const;

export const ARCH_O = OPEN_FLAGS[ARCH];
