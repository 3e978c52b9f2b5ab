// Blocking byte-stream I/O with a deadline, for request/reply protocols spoken synchronously
// over a unix socket (D-Bus to systemd): the caller must never hang on a peer that stops
// answering, so every read waits in poll(2) for at most the time left.
import { libc, errno } from "./libc.ts";
import { SysError } from "./errno.ts";

const POLLIN = 1;
const EINTR = 4;
const EAGAIN = 11;
// A peer that went away is EPIPE from send, not a SIGPIPE that would kill us
const MSG_NOSIGNAL = 0x4000;

/** Sends all of `data` on the socket `fd` (retrying short writes and EINTR). */
export function sendAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    const chunk = data.subarray(off);
    const n = Number(libc().send(fd, chunk, chunk.length, MSG_NOSIGNAL));
    if (n < 0) {
      const e = errno();
      if (e === EINTR) continue;
      throw new SysError("send", e);
    }
    off += n;
  }
}

/**
 * Waits until `fd` is readable or `timeoutMs` has passed, then reads once into `buf`: the number
 * of bytes read (0 at end of stream), or null when the time ran out with nothing to read.
 */
export function readWithin(fd: number, buf: Uint8Array, timeoutMs: number): number | null {
  const deadline = performance.now() + Math.max(0, timeoutMs);
  const pfd = new Int32Array(2); // struct pollfd { int fd; short events; short revents; }
  for (;;) {
    pfd[0] = fd;
    pfd[1] = POLLIN; // events in the low half, revents (high half) cleared
    const left = Math.max(0, Math.ceil(deadline - performance.now()));
    const r = libc().poll(pfd, 1, left);
    if (r < 0) {
      const e = errno();
      if (e === EINTR) continue;
      throw new SysError("poll", e);
    }
    if (r === 0) {
      if (performance.now() >= deadline) return null;
      continue;
    }
    const n = Number(libc().read(fd, buf, buf.length));
    if (n >= 0) return n;
    const e = errno();
    if (e === EINTR || e === EAGAIN) continue;
    if (e === 104 /* ECONNRESET */) return 0;
    throw new SysError("read", e);
  }
}

export function closeFd(fd: number): void {
  libc().close(fd);
}
