// The CLI side of `run -d` and `start`: launch a monitor process (a hidden stage of this same
// binary, in its own session) that starts and watches the container, and wait until the
// container's program runs or fails to start.
import type { ContainerRecord } from "../state/containers.ts";
import type { Sys } from "../sys/sys.ts";
import { SyncChannel } from "./sync.ts";
import { selfCommand, MONITOR_STAGE } from "./self.ts";
import { RuntimeError } from "./errors.ts";

export type FromMonitor = { type: "started" | "created"; pid: number } | { type: "error"; message: string; exitCode: number };

/**
 * `start`: a container that exists already (`bunbox start` of a stopped one): a failed start keeps
 * it, as Docker does; only `run`'s own container goes when its program cannot start.
 * `create`: the monitor answers once the container's init waits on its exec fifo (runc's
 * create), and starts the program when `bunbox start` opens the fifo; else once it runs.
 */
export async function startMonitor(rec: ContainerRecord, deps: { sys: Sys; store: { root: string; containersDir: string; load(id: string): ContainerRecord | undefined } }, opts: { create?: boolean; start?: boolean } = {}): Promise<ContainerRecord> {
  const [parentEnd, childEnd] = deps.sys.socketpair();
  let proc;
  try {
    proc = Bun.spawn([...selfCommand(MONITOR_STAGE), deps.store.root, deps.store.containersDir, rec.id, ...(opts.create ? ["create"] : opts.start ? ["start"] : [])], {
      // Nothing of the CLI's: a pipeline reading `bunbox run -d` output must not wait for the monitor
      stdio: ["ignore", "ignore", "ignore", childEnd] as never,
      // No GC timer: Bun's wakes an idle monitor every second for its first ~25 s (it reads
      // /proc/self/statm, runs collector code) and faults ~2.5 MB of the executable back between the
      // monitor's trims: sampled every 0.5 s, its file-backed PSS swung 4.1 <-> 6.8 MB until ~24 s,
      // then sat at ~2.2; without the timer it sits at ~2.7 from ~10 s. A monitor copying output
      // still collects as it allocates.
      env: { BUNBOX_STAGE: "monitor", PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", BUN_GC_TIMER_DISABLE: "1" },
      argv0: "bunbox-monitor",
      detached: true,
    });
  } finally {
    deps.sys.close(childEnd);
  }
  proc.unref();
  const channel = new SyncChannel(deps.sys, parentEnd);
  try {
    const reply = channel.receive<FromMonitor>();
    if (!reply) throw new RuntimeError(`the monitor of container ${rec.name} exited before starting it`);
    if (reply.type === "error") throw new RuntimeError(reply.message, reply.exitCode);
    return deps.store.load(rec.id) ?? rec;
  } finally {
    channel.close();
  }
}
