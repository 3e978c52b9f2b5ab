// Starts the init stage as PID 1 of a new pid namespace. Namespaces belong to threads: unshare
// moves only the main thread's pid_for_children, Bun.spawn forks from it, and setns puts it back.
import type { Subprocess } from "bun";
import type { EarlyCgroup } from "./early-cgroup.ts";
import { CLONE } from "../sys/constants.ts";
import type { Sys } from "../sys/sys.ts";
import { selfCommand, INIT_STAGE } from "./self.ts";
import { SyncChannel } from "./sync.ts";
import { sealSelfExe } from "./sealed-self.ts";

export type Stdio = "inherit" | "ignore" | "pipe" | number;

/**
 * "relay": the container gets pipes, never bunbox's own stdin, stdout and stderr. Those may be
 * the user's terminal (TIOCSTI pushes keystrokes into the host shell; the terminal is readable)
 * or a host file (`>> out.log`: readable, truncatable). bunbox copies between them (cli/relay.ts),
 * as Docker's shim does. Without -i the plan points stdin at /dev/null inside the container
 * (config/annotations.ts, stdinNull), so the init stage can be started before the flags are parsed.
 */
export type StdioSpec = [Stdio, Stdio, Stdio] | "relay";
export const RUN_STDIO: StdioSpec = "relay";
/** An OCI container's init gets the caller's own stdio (runc's; the shim's pipes). */
export const OCI_STDIO: StdioSpec = ["inherit", "inherit", "inherit"];

/** bunbox's ends of a relayed container's pipes: it writes stdin, reads stdout and stderr. */
export interface RelayEnds { stdin: number; stdout: number; stderr: number }

/**
 * The init stage runs ~80 steps once and execs: compiling them with JavaScriptCore's baseline JIT
 * cost more CPU than it saved (interleaved runs: ~5 ms less start-to-exit with the interpreter
 * alone, measured on the 2-core test VM). bun:ffi needs the JIT itself, which stays on.
 *
 * No helper thread starts before the plan is applied (JIT worker, mimalloc's scavenger, the heap's
 * warm-up thread): namespaces, root, capabilities and seccomp are per thread, and a thread born
 * earlier would keep the host's. That matters with --init, where the stage stays PID 1: a
 * container given CAP_SYS_PTRACE could otherwise reach the host through /proc/1/task/<tid>/root.
 * Threads made later are made by the confined thread and inherit all of it.
 */
const INIT_STAGE_JSC = {
  BUN_JSC_useBaselineJIT: "0",
  // A user namespace can only be joined by a single-threaded process (apply-userns.ts): under the
  // test VM's slow emulation a concurrent-GC helper was already running when the join came
  BUN_JSC_useConcurrentGC: "0",
  BUN_JSC_useConcurrentJIT: "0",
  BUN_JSC_useWarmUpMarkedBlocks: "0",
  MIMALLOC_PURGE_DELAY: "0",
};

/**
 * Bun's mimalloc leaves transparent huge pages off; the stage turns them on for its heap. Its
 * start-up fills about 2 MB of fresh heap, and where a page fault is expensive (a virtual machine
 * whose page tables the hypervisor shadows: ~14 us a fault on the 2-vCPU test VM) one 2 MB fault
 * instead of ~700 small ones took ~9 ms off `run … true` (interleaved runs). Hosts whose THP mode
 * is "never" ignore it. Not for a stage that stays PID 1 (--init): it keeps ~5 MB more resident
 * for the container's life.
 */
const HUGE_PAGES = { MIMALLOC_ALLOW_THP: "1" };

/**
 * scripts/build.ts records which functions a container start runs (Bun's BUN_BYTECODE_ORDER_OUT)
 * to lay the bytecode out for the next build: the init stage records into `<file>.init`.
 */
function bytecodeOrderOut(): Record<string, string> {
  const out = process.env.BUN_BYTECODE_ORDER_OUT;
  return out ? { BUN_BYTECODE_ORDER_OUT: `${out}.init` } : {};
}

export interface SpawnedInit {
  proc: Subprocess;
  channel: SyncChannel;
  /** stdio "relay": the ends bunbox copies through. */
  relay?: RelayEnds;
  /** What it was started with (sameSpawn). */
  spawnedAs?: InitSpawn;
  /** v1 and hybrid hosts: its cgroup, made before the flags were read, which it is moving into (early-cgroup.ts). */
  early?: EarlyCgroup;
  /** Its move into its cgroup under way: `first` from a glibc thread (early-cgroup.ts moveInit). */
  moving?: { first: string; write: { wait(): void } };
}

/** Pipes for a relayed container: its three ends, and bunbox's (stdin's written non-blocking: a container that reads nothing must not stall bunbox). */
function relayPipes(sys: Sys): { child: [number, number, number]; ours: RelayEnds } {
  const [inR, inW] = sys.pipe(true), [outR, outW] = sys.pipe(), [errR, errW] = sys.pipe();
  return { child: [inR, outW, errW], ours: { stdin: inW, stdout: outR, stderr: errR } };
}

/** How an init stage is started: what spawnInit takes, and what a started one says it was started with. */
export interface InitSpawn { newPidNs: boolean; joinPidNs?: string; stdio: StdioSpec; preserveFds?: number; staysAsInit?: boolean }

/** Whether an init started `as` is the one `wanted` would start (one spawned early is used only then). */
export function sameSpawn(as: InitSpawn, wanted: InitSpawn): boolean {
  return as.newPidNs === wanted.newPidNs && as.joinPidNs === wanted.joinPidNs && (as.preserveFds ?? 0) === (wanted.preserveFds ?? 0)
    && (as.staysAsInit ?? false) === (wanted.staysAsInit ?? false) && JSON.stringify(as.stdio) === JSON.stringify(wanted.stdio);
}

/**
 * newPidNs: the stage becomes PID 1 of a new pid namespace (create). joinPidNs: it is born in
 * that existing one instead (exec into a running container: a path like /proc/<pid>/ns/pid).
 */
export function spawnInit(sys: Sys, opts: InitSpawn): SpawnedInit {
  sealSelfExe(sys);
  const pipes = opts.stdio === "relay" ? relayPipes(sys) : undefined;
  const stdio = pipes ? pipes.child : (opts.stdio as [Stdio, Stdio, Stdio]);
  const [parentEnd, childEnd] = sys.socketpair();
  let hostPidNs = -1;
  if (opts.newPidNs || opts.joinPidNs) {
    hostPidNs = sys.open("/proc/thread-self/ns/pid", 0o2000000 /* O_CLOEXEC */);
    if (opts.joinPidNs) {
      const target = sys.open(opts.joinPidNs, 0o2000000);
      try { sys.setns(target, CLONE.NEWPID, opts.joinPidNs); } finally { sys.close(target); }
    } else {
      sys.unshare(CLONE.NEWPID);
    }
  }
  let proc: Subprocess;
  try {
    // OCI --preserve-fds N: our fds 3 … 3+N-1 stay at the same numbers; the channel follows them
    const preserved = Array.from({ length: opts.preserveFds ?? 0 }, (_, i) => 3 + i);
    proc = Bun.spawn(selfCommand(INIT_STAGE), {
      stdio: [...stdio, ...preserved, childEnd] as never,
      env: { BUNBOX_STAGE: "init", ...INIT_STAGE_JSC, ...(opts.staysAsInit ? {} : HUGE_PAGES), ...bytecodeOrderOut(), ...(preserved.length ? { BUNBOX_SYNC_FD: String(3 + preserved.length) } : {}) },
      argv0: "bunbox-init",
    });
  } finally {
    if (hostPidNs >= 0) {
      sys.setns(hostPidNs, CLONE.NEWPID, "host pid namespace");
      sys.close(hostPidNs);
    }
    sys.close(childEnd);
    // The container's ends live on in it alone: EOF and EPIPE then mean it is done with them
    for (const fd of pipes?.child ?? []) sys.close(fd);
  }
  return { proc, channel: new SyncChannel(sys, parentEnd), spawnedAs: opts, ...(pipes ? { relay: pipes.ours } : {}) };
}
