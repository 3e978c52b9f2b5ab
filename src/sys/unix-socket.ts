// Unix sockets that carry file descriptors (SCM_RIGHTS), fifos and the pty a container opens
// inside itself: what the OCI console socket and exec fifo need. msghdr and cmsghdr are built
// by hand in Buffers (x86_64 and aarch64 share the LP64 layout).
import { ptr } from "bun:ffi";
import { libc, errno, check } from "./libc.ts";
import { SysError } from "./errno.ts";
import { AF_UNIX, SOCK_STREAM, SOCK_CLOEXEC } from "./constants.ts";

const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;


const cstr = (s: string) => Buffer.from(s + "\0");

/** A connected unix stream socket (close-on-exec). */
export function connectUnix(path: string): number {
  const fd = check(libc().socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket");
  const addr = Buffer.alloc(110);
  addr.writeUInt16LE(AF_UNIX, 0);
  const p = Buffer.from(path);
  if (p.length > 107) {
    libc().close(fd);
    throw new SysError("connect", 36, path);
  }
  p.copy(addr, 2);
  if (libc().connect(fd, addr, 2 + p.length + 1) < 0) {
    const e = errno();
    libc().close(fd);
    throw new SysError("connect", e, path);
  }
  return fd;
}

/** struct msghdr (56 bytes) pointing at one iovec and an optional control buffer. */
function msghdr(iov: BigUint64Array, control: Buffer | null): Buffer {
  const m = Buffer.alloc(56);
  m.writeBigUInt64LE(BigInt(ptr(iov)), 16);
  m.writeBigUInt64LE(1n, 24);
  if (control) {
    m.writeBigUInt64LE(BigInt(ptr(control)), 32);
    m.writeBigUInt64LE(BigInt(control.length), 40);
  }
  return m;
}

/** One sendmsg: `data` with exactly one fd attached (SCM_RIGHTS). */
export function sendFd(sock: number, data: Buffer, fd: number): void {
  const iov = new BigUint64Array([BigInt(ptr(data)), BigInt(data.length)]);
  const control = Buffer.alloc(24); // CMSG_SPACE(sizeof(int))
  control.writeBigUInt64LE(20n, 0); // CMSG_LEN(sizeof(int))
  control.writeInt32LE(SOL_SOCKET, 8);
  control.writeInt32LE(SCM_RIGHTS, 12);
  control.writeInt32LE(fd, 16);
  const m = msghdr(iov, control);
  check(libc().sendmsg(sock, m, 0), "sendmsg");
}

/** One recvmsg: the bytes read (empty at EOF) and the fds that came with them (close-on-exec). */
export function recvWithFds(sock: number, max = 65536): { data: Buffer; fds: number[] } {
  const data = Buffer.alloc(max);
  const iov = new BigUint64Array([BigInt(ptr(data)), BigInt(max)]);
  const control = Buffer.alloc(64);
  const m = msghdr(iov, control);
  let n: number;
  for (;;) {
    n = Number(libc().recvmsg(sock, m, MSG_CMSG_CLOEXEC));
    if (n >= 0) break;
    const e = errno();
    if (e === 4 /* EINTR */) continue;
    if (e === 104 /* ECONNRESET */) return { data: Buffer.alloc(0), fds: [] };
    throw new SysError("recvmsg", e);
  }
  const fds: number[] = [];
  const controlLen = Number(m.readBigUInt64LE(40));
  let off = 0;
  while (off + 16 <= controlLen) {
    const len = Number(control.readBigUInt64LE(off));
    if (len < 16) break;
    if (control.readInt32LE(off + 8) === SOL_SOCKET && control.readInt32LE(off + 12) === SCM_RIGHTS) {
      for (let p = off + 16; p + 4 <= off + len; p += 4) fds.push(control.readInt32LE(p));
    }
    off += (len + 7) & ~7;
  }
  return { data: data.subarray(0, n), fds };
}

export function mkfifo(path: string, mode: number): void {
  check(libc().mkfifo(cstr(path), mode), "mkfifo", path);
}

