// The sync channel between the parent and the init/exec stage: newline-delimited JSON over a
// close-on-exec unix socket. After a successful execve the other side reads EOF.
// No node:fs here: loading it costs ~3.5 ms, and this is on the path of every container start.
import { EXEC_PENDING_COMM } from "../sys/constants.ts";
import type { SysError } from "../sys/errno.ts";
import type { Sys } from "../sys/sys.ts";
import type { Step, HookSpec } from "../linux/steps.ts";
import type { Narration } from "./narrate.ts";
import type { Mark } from "./timeline.ts";

export type ToInit =
  | {
      type: "plan"; steps: Step[]; waitForStart: boolean;
      /** OCI create: block on this fifo (opened before the root changes) until `start` reads it. */
      execFifo?: string;
      /** Docker's create: the program is looked up once started (a missing one fails start, not create). */
      lookupAtStart?: boolean;
      /** --explain: narrate each step on stderr. */
      narrate?: Narration;
      /** OCI hooks: the state JSON they get on stdin, and the startContainer hooks (run before execve). */
      hookState?: unknown;
      startHooks?: HookSpec[];
    }
  /**
   * Before the plan: the init moves itself into its cgroup (writes 0 to each cgroup.procs). The
   * first move pays an RCU grace period in the kernel (cgroup_threadgroup_rwsem, ~10 ms), which
   * the init waits out while the parent goes on planning, instead of the parent waiting for it.
   */
  | { type: "join-cgroup"; procs: string[] }
  | { type: "start" }
  | { type: "hooks-done" }
  | { type: "hooks-failed"; message: string };

export type FromInit =
  /** `marks`: the stage's timeline up to now (--explain=timing, timeline.ts). */
  | { type: "ready"; pid: number; marks?: Mark[] }
  /** Carries the pty master the stage opened inside the container (SCM_RIGHTS). */
  | { type: "console" }
  /** Before pivot_root: the runtime's create-phase hooks may run now. */
  | { type: "hooks" }
  | { type: "error"; step: string; call: string; path?: string; errno?: string; message: string; exitCode: number };

export class SyncChannel {
  private buffered = "";
  /** Streaming: a UTF-8 character split across two reads stays whole. */
  private decoder = new TextDecoder();
  private closed = false;
  constructor(private readonly sys: Pick<Sys, "readSome" | "writeAll" | "close" | "sendFd" | "recvWithFds">, readonly fd: number) {}

  /** Closes our end (once): an init still waiting for its plan reads EOF and exits quietly. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }

  send(message: ToInit | FromInit): void {
    this.sys.writeAll(this.fd, Buffer.from(JSON.stringify(message) + "\n"));
  }

  /** One message with one fd attached (the console's pty master). */
  sendWithFd(message: FromInit, fd: number): void {
    this.sys.sendFd(this.fd, Buffer.from(JSON.stringify(message) + "\n"), fd);
  }

  /**
   * Like receive, reading with recvmsg so that an fd sent along (sendWithFd) is kept: it comes
   * back with the message it was sent with.
   */
  receiveWithFd<T>(): { msg: T | null; fd?: number } {
    for (;;) {
      const nl = this.buffered.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return { msg: JSON.parse(line) as T, fd: this.fds.shift() };
      }
      const { data, fds } = this.sys.recvWithFds(this.fd);
      this.fds.push(...fds);
      if (data.length === 0) return { msg: null };
      this.buffered += this.decoder.decode(data, { stream: true });
    }
  }

  private fds: number[] = [];

  /** Blocks until one message arrives; null on EOF (the other side exec'd or died). */
  receive<T>(): T | null {
    const chunk = new Uint8Array(65536);
    for (;;) {
      const nl = this.buffered.indexOf("\n");
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return JSON.parse(line) as T;
      }
      let n: number;
      try {
        n = this.sys.readSome(this.fd, chunk);
      } catch (e) {
        if ((e as SysError).code === "EAGAIN") continue;
        if ((e as SysError).code === "ECONNRESET") return null;
        throw e;
      }
      if (n === 0) return null;
      this.buffered += this.decoder.decode(chunk.subarray(0, n), { stream: true });
    }
  }
}

/**
 * Read when a stage's end closed with no error: its execve failed after the seccomp filter went
 * in, and the filter refused the report too. execve renames the task; this name on a dead task
 * means the program never ran. Said in one line, never silent.
 */
export function filteredExecFailure(sys: Pick<Sys, "readTextFile">, pid: number): string | undefined {
  let comm: string;
  try { comm = sys.readTextFile(`/proc/${pid}/comm`).trim(); } catch { return undefined; }
  if (comm !== EXEC_PENDING_COMM) return undefined;
  return "the container's program did not start: its execve failed after the seccomp filter was installed, and the filter refuses write() too, so the reason could not be reported (allow write in the profile to see it)";
}
