// Errno names and the one error type for kernel failures (architecture.md rule 5).
// Pure: no bun:ffi here, so every layer can catch and format SysError.
import { BunboxError } from "../errors.ts";

/** Linux errno numbers (same on x86_64 and aarch64) to their symbolic names. */
const NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 8: "ENOEXEC",
  9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 15: "ENOTBLK",
  16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL",
  23: "ENFILE", 24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE",
  30: "EROFS", 31: "EMLINK", 32: "EPIPE", 36: "ENAMETOOLONG", 38: "ENOSYS", 39: "ENOTEMPTY",
  40: "ELOOP", 61: "ENODATA", 75: "EOVERFLOW", 95: "EOPNOTSUPP", 97: "EAFNOSUPPORT",
  98: "EADDRINUSE", 104: "ECONNRESET", 110: "ETIMEDOUT", 111: "ECONNREFUSED", 122: "EDQUOT",
};

/** strerror(3) wording, lower-cased as runc and Docker print it. */
const MESSAGES: Record<string, string> = {
  EPERM: "operation not permitted", ENOENT: "no such file or directory", ESRCH: "no such process",
  EINTR: "interrupted system call", EIO: "input/output error", ENXIO: "no such device or address",
  E2BIG: "argument list too long", ENOEXEC: "exec format error", EBADF: "bad file descriptor",
  ECHILD: "no child processes", EAGAIN: "resource temporarily unavailable",
  ENOMEM: "cannot allocate memory", EACCES: "permission denied", EFAULT: "bad address",
  ENOTBLK: "block device required", EBUSY: "device or resource busy", EEXIST: "file exists",
  EXDEV: "invalid cross-device link", ENODEV: "no such device", ENOTDIR: "not a directory",
  EISDIR: "is a directory", EINVAL: "invalid argument", ENFILE: "too many open files in system",
  EMFILE: "too many open files", ENOTTY: "inappropriate ioctl for device", ETXTBSY: "text file busy",
  EFBIG: "file too large", ENOSPC: "no space left on device", ESPIPE: "illegal seek",
  EROFS: "read-only file system", EMLINK: "too many links", EPIPE: "broken pipe",
  ENAMETOOLONG: "file name too long", ENOSYS: "function not implemented",
  ENOTEMPTY: "directory not empty", ELOOP: "too many levels of symbolic links",
  ENODATA: "no data available", EOVERFLOW: "value too large for defined data type",
  EOPNOTSUPP: "operation not supported", EAFNOSUPPORT: "address family not supported by protocol",
  EADDRINUSE: "address already in use", ETIMEDOUT: "connection timed out",
  ECONNREFUSED: "connection refused", EDQUOT: "disk quota exceeded",
};

export function errnoName(errno: number): string {
  return NAMES[errno] ?? `E${errno}`;
}

export function errnoNumber(name: string): number | undefined {
  for (const [n, v] of Object.entries(NAMES)) if (v === name) return Number(n);
  return undefined;
}

export function errnoMessage(name: string): string {
  return MESSAGES[name] ?? name.toLowerCase();
}

/** A failed kernel call: which call, on what path, and the errno's name. */
export class SysError extends BunboxError {
  readonly syscall: string;
  readonly errno: number;
  readonly code: string;
  readonly path?: string;
  constructor(syscall: string, errno: number, path?: string) {
    const code = errnoName(errno);
    super(`${syscall}${path ? ` ${path}` : ""}: ${code} (${errnoMessage(code)})`);
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
    this.path = path;
  }
}
