// --init: the init stage stays as PID 1 instead of becoming the user's program, as Docker's
// --init (tini) does: it starts the program as its child, passes signals on (a PID 1 without
// handlers ignores them, which is why `stop` of a plain `sleep` needs SIGKILL), reaps the
// orphans the container's processes leave, and exits with the program's status.
import type { Sys } from "../sys/sys.ts";
import { exitStatus } from "./exit-status.ts";

const PASSED_ON = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;

export class StayAsInit {
  constructor(readonly path: string, readonly args: string[], readonly env: string[]) {}
}

const CAP_KILL = 1n << 5n;

/**
 * What the init keeps once it only passes signals on and reaps: as root, CAP_KILL (signals still
 * reach a program that switched to another user, as they reach it from tini); as any other user,
 * nothing, as tini would hold after its execve. The program's own sets do not come from these:
 * execve gives it the bounding set (root) or its ambient set, and an ambient capability must stay
 * permitted (and inheritable) here to be passed on, so those stay, and nothing else.
 */
export function initCapabilities(uid: number, held: { permitted: bigint; inheritable: bigint }, ambient: bigint) {
  const kill = uid === 0 ? CAP_KILL & held.permitted : 0n;
  return { effective: kill, permitted: kill | (ambient & held.permitted), inheritable: held.inheritable };
}

/** The ambient set, which capget does not report. */
function ambientSet(sys: Sys): bigint {
  const m = /^CapAmb:\s*([0-9a-f]+)$/m.exec(sys.readTextFile("/proc/thread-self/status"));
  return m ? BigInt("0x" + m[1]) : 0n;
}

export async function runAsInit(sys: Sys, what: StayAsInit, syncFd: number): Promise<number> {
  // Before the spawn: every thread this process starts from now on (the spawn's own helpers, the
  // JIT's) inherits the main thread's sets, and none was started before (spawn-init.ts)
  const keep = initCapabilities(process.geteuid!(), sys.capget(), ambientSet(sys));
  sys.capset(keep.effective, keep.permitted, keep.inheritable);
  const env = Object.fromEntries(what.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const child = Bun.spawn([what.path, ...what.args.slice(1)], { argv0: what.args[0], env, stdio: ["inherit", "inherit", "inherit"] });
  // The parent learns that the program runs from the sync channel closing, as after an execve
  sys.close(syncFd);
  for (const sig of PASSED_ON) process.on(sig, () => { try { child.kill(sig); } catch { /* gone */ } });
  const reaper = setInterval(() => sys.reapOrphans(child.pid), 100);
  await child.exited;
  clearInterval(reaper);
  sys.reapOrphans(child.pid);
  return exitStatus(child.exitCode, child.signalCode as string | null);
}
