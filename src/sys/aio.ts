// A write done on a thread of glibc's own (POSIX AIO, aio_write(3)), for the one write bunbox must
// not wait for: the first move of a process into a cgroup waits out an RCU grace period in the
// kernel (5-19 ms here), and the CLI has flags to parse meanwhile. glibc starts the thread itself
// (in C, never returning into JavaScript), writes, and keeps the outcome for aio_error/aio_return.
import { ptr } from "bun:ffi";
import { libc, errno } from "./libc.ts";
import { SysError } from "./errno.ts";
import { AT, O } from "./constants.ts";
import * as fsat from "./fsat.ts";

/** A write under way: `wait` returns once it is done, and throws what it failed with. */
export interface BackgroundWrite {
  wait(): void;
}

// struct aiocb on glibc's LP64 targets (x86_64, aarch64): 168 bytes. Checked against
// <aio.h> with offsetof: aio_fildes 0, aio_buf 16, aio_nbytes 24, aio_sigevent 32 (its
// sigev_notify at 44), aio_offset 128.
const AIOCB_SIZE = 168;
const SIGEV_NONE = 1;
const EINPROGRESS = 115;
const EINTR = 4;

/** Every write under way, so that nothing it points at is collected before glibc is done with it. */
const pending = new Set<object>();

export function writeInBackground(path: string, data: string): BackgroundWrite {
  const fd = fsat.openat(AT.FDCWD, path, O.WRONLY | O.CLOEXEC, 0);
  const buf = Buffer.from(data);
  const cb = new ArrayBuffer(AIOCB_SIZE);
  const v = new DataView(cb);
  v.setInt32(0, fd, true);
  v.setBigUint64(16, BigInt(ptr(buf)), true);
  v.setBigUint64(24, BigInt(buf.length), true);
  v.setInt32(44, SIGEV_NONE, true);
  const cbBytes = new Uint8Array(cb);
  const keep = { buf, cbBytes };
  if (libc().aio_write(cbBytes) !== 0) {
    const e = errno();
    fsat.close(fd);
    throw new SysError("aio_write", e, path);
  }
  pending.add(keep);
  let outcome: SysError | null | undefined;
  return {
    wait() {
      if (outcome === undefined) {
        const list = new BigUint64Array([BigInt(ptr(cbBytes))]);
        let state: number;
        while ((state = libc().aio_error(cbBytes)) === EINPROGRESS) {
          if (libc().aio_suspend(list, 1, null) !== 0 && errno() !== EINTR) break;
        }
        const written = libc().aio_return(cbBytes);
        outcome = state === 0 && written === buf.length ? null : new SysError("write", state || 5 /* EIO: short */, path);
        pending.delete(keep);
        fsat.close(fd);
      }
      if (outcome) throw outcome;
    },
  };
}
