// --init: the init stage stays as PID 1 instead of becoming the user's program, as Docker's
// --init (tini) does: it starts the program as its child, passes signals on (a PID 1 without
// handlers ignores them, which is why `stop` of a plain `sleep` needs SIGKILL), reaps the
// orphans the container's processes leave, and exits with the program's status.
import type { Sys } from "../sys/kernel.ts";
import { exitStatus } from "./exit-status.ts";

const PASSED_ON = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const;

export class StayAsInit {
  constructor(readonly path: string, readonly args: string[], readonly env: string[]) {}
}

export async function runAsInit(sys: Sys, what: StayAsInit, syncFd: number): Promise<number> {
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
