// runc's exec fifo: `create` leaves the container's init blocked opening it for writing, just
// before its program (init-stage.ts); `start` opens it for reading and takes the init's one byte,
// and the init goes on to execve. While the fifo exists the container is "created".
import { openSync, closeSync, rmSync } from "../../sys/files.ts";
import { O, AT } from "../../sys/constants.ts";
import { fchmodat } from "../../sys/fsat.ts";
import { readWithin } from "../../sys/stream-io.ts";
import { mkfifo } from "../../sys/unix-socket.ts";
import { isAlive } from "../../state/proc.ts";
import type { CoreRecord } from "../../state/record.ts";
import { RuntimeError } from "../errors.ts";
import { filteredExecFailure } from "../sync.ts";
import type { Sys } from "../../sys/sys.ts";

/**
 * Writable by anyone (0622, as runc asks): the init opens it after dropping to the container's
 * user, and in a user namespace as an unprivileged host user (through its fd: the directory stays
 * 0700). Set again after mkfifo: the umask (022) takes the write bits away.
 */
export function makeExecFifo(path: string): void {
  mkfifo(path, 0o622);
  fchmodat(AT.FDCWD, path, 0o622);
}

/**
 * Lets the waiting init run its program; the fifo goes either way. False if the init died
 * before it took the start (the container has stopped).
 */
export function releaseInit(fifo: string, rec: CoreRecord, sys?: Pick<Sys, "readTextFile">, timeoutMs = 30_000): boolean {
  const fd = openSync(fifo, O.RDONLY | O.NONBLOCK | O.CLOEXEC);
  try {
    const buf = Buffer.alloc(1);
    let endBefore = false;
    for (const deadline = Date.now() + timeoutMs; ;) {
      // Woken the moment the init writes its "0" (poll), where sleeping between reads rounded
      // every start up to the sleep; the liveness check below comes round every 20 ms at most
      const n = readWithin(fd, buf, Math.min(20, deadline - Date.now()));
      if (n === 1) {
        // The init holds the fifo until its execve: what it wrote after "0" is why that failed
        const after = readUntilExec(fd, deadline);
        if (after) throw execFailure(after);
        const silent = sys && rec.pid !== undefined ? filteredExecFailure(sys, rec.pid) : undefined;
        if (silent) throw new RuntimeError(silent, 1);
        return true;
      }
      if (!isAlive(rec.pid, rec.startTime)) return false;
      if (Date.now() > deadline) throw new RuntimeError("timeout waiting for the container's init to accept start", 1);
      // End of file twice running: a writer came and went without a "0" (poll then returns at
      // once): it is dying; look again in a millisecond
      if (n === 0 && endBefore) Bun.sleepSync(1);
      endBefore = n === 0;
    }
  } finally {
    closeSync(fd);
    rmSync(fifo, { force: true });
  }
}

/** What the init writes on the exec fifo after "0", up to its execve (EOF): nothing, or one error line. */
function readUntilExec(fd: number, deadline: number): string {
  const buf = Buffer.alloc(4096);
  let text = "";
  for (;;) {
    // Woken by the execve (the fifo's only writer closes: end of file) or a line of error; the
    // startContainer hooks run meanwhile, and a stuck one has its own timeout
    const n = readWithin(fd, buf, Math.min(20, deadline - Date.now()));
    if (n === null) {
      if (Date.now() > deadline) return text;
      continue;
    }
    if (n === 0) return text;
    text += buf.toString("utf8", 0, n);
  }
}

/** Docker's status for it (127 not found, 126 cannot execute); runc's start answers 1 whatever it was. */
function execFailure(text: string): RuntimeError {
  try {
    const e = JSON.parse(text.split("\n")[0]!) as { step: string; message: string; exitCode?: number };
    return new RuntimeError(e.step === "exec" ? e.message : `container start failed at step "${e.step}": ${e.message}`, e.exitCode ?? 125);
  } catch {
    return new RuntimeError(`container start failed: ${text.trim()}`, 125);
  }
}
