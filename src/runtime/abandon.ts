// Undoing a container start that failed before it was handed over: one function, so that the CLI,
// createContainer and the early cgroup (early-cgroup.ts) undo it alike.
import type { SpawnedInit } from "./spawn-init.ts";
import type { OwnedCgroup } from "../cgroups/owned.ts";
import { releaseCgroup } from "./core/acts.ts";

/** A start that failed: its init ended (and reaped: it must be gone before its cgroup can be removed), then its cgroup. */
export async function abandonStart(init: SpawnedInit | undefined, cgroup: OwnedCgroup | undefined): Promise<void> {
  if (init) {
    init.channel.close();
    try { init.proc.kill(9); } catch { /* already gone */ }
    await init.proc.exited;
  }
  if (cgroup) releaseCgroup(cgroup);
}
