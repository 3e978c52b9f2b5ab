// `bunbox run`: a bundle made from flags, created and started at once, waited for, cleaned up.
import { mkdirSync, writeFileSync, rmSync, existsSync } from "node:fs";
import type { Spec } from "../spec/schema.ts";
import type { ContainerPaths } from "../spec/from-flags.ts";
import { ContainerStore, type ContainerRecord } from "../state/containers.ts";
import { removeCgroupDirs, type ContainerCgroup } from "../cgroups/driver.ts";
import { readOom } from "../cgroups/stats.ts";
import { createContainer, type CreateDeps } from "./create.ts";
import { exitStatus, FORWARDED_SIGNALS } from "./exit-status.ts";
import { RuntimeError } from "./errors.ts";
import { initFailure } from "./create.ts";
import type { FromInit } from "./sync.ts";
import { humanBytes } from "../spec/resource-flags.ts";
import { RUN_STDIO, type SpawnedInit } from "./spawn-init.ts";

export interface RunRequest {
  id: string;
  name: string;
  image: string;
  spec: Spec;
  files: Record<string, string>;
  paths: ContainerPaths;
  remove: boolean;
  /** An init stage started early with the same stdio (see createContainer). */
  init?: SpawnedInit;
}

export interface RunDeps extends CreateDeps {
  store: ContainerStore;
}

/** Runs the container to its end and returns its exit status. */
export async function runContainer(req: RunRequest, deps: RunDeps): Promise<number> {
  const { paths } = req, { store } = deps;
  store.claimName(req.name, req.id);
  const record: ContainerRecord = {
    id: req.id, name: req.name, image: req.image, command: req.spec.process?.args ?? [],
    created: new Date().toISOString(), bundle: paths.dir, status: "created",
  };
  let created: Awaited<ReturnType<typeof createContainer>> | undefined;
  let oomError: RuntimeError | undefined;
  try {
    prepareBundle(req);
    store.save(record);
    created = await createContainer(req.spec, req.id, { stdio: RUN_STDIO, waitForStart: false, init: req.init }, deps);
    const { proc, pid } = created;
    const forward = FORWARDED_SIGNALS.map((sig) => {
      const handler = () => { try { process.kill(pid, sig); } catch { /* already gone */ } };
      process.on(sig, handler);
      return () => process.off(sig, handler);
    });
    // The cgroup's directories, so stats/rm/gc in another process find them
    record.cgroup = { dirs: created.cgroup.dirs };
    store.save({ ...record, status: "running", pid });
    // EOF: execve worked (the channel is close-on-exec); a message: it failed
    const afterExec = created.channel.receive<FromInit>();
    const code = await proc.exited.then(() => exitStatus(proc.exitCode, proc.signalCode as string | null));
    forward.forEach((off) => off());
    if (afterExec?.type === "error") throw initFailure(afterExec);
    // Read from the cgroup's own counters (memory.events / memory.oom_control), before it goes
    const oom = readOom(created.cgroup.dirs);
    finish(req, deps, created, { ...record, status: "exited", pid, exitCode: code, finishedAt: new Date().toISOString(), ...(oom.killed ? { oomKilled: true } : {}) });
    // The message when the OOM kill ended the container (its status shows it: 137 when PID 1 was
    // the one killed); a child killed while PID 1 went on to exit 0 is only recorded
    if (oom.killed && code !== 0) {
      const limit = oom.limit !== undefined ? ` (limit ${humanBytes(oom.limit)})` : "";
      throw (oomError = new RuntimeError(`container ${req.name} was killed: out of memory${limit}`, code));
    }
    return code;
  } catch (e) {
    if (e === oomError) throw e;
    finish(req, deps, created, { ...record, status: "exited", exitCode: e instanceof RuntimeError ? e.exitCode : 125, finishedAt: new Date().toISOString() }, true);
    throw e;
  }
}


function prepareBundle(req: RunRequest): void {
  const { paths } = req;
  for (const dir of [paths.dir, paths.upper, paths.work, paths.rootfs]) mkdirSync(dir, { recursive: true, mode: 0o711 });
  for (const [name, content] of Object.entries(req.files)) writeFileSync(`${paths.dir}/${name}`, content, { mode: 0o644 });
  writeFileSync(`${paths.dir}/config.json`, JSON.stringify(req.spec, null, 2) + "\n");
  // Docker creates a missing host directory for -v HOST:CTR
  for (const m of req.spec.mounts ?? []) {
    if (m.type === "bind" && m.source && !m.source.startsWith(paths.dir) && !existsSync(m.source)) mkdirSync(m.source, { recursive: true });
  }
}

function finish(req: RunRequest, deps: RunDeps, created: { cgroup: ContainerCgroup } | undefined, record: ContainerRecord, failed = false): void {
  if (created) {
    try { removeCgroupDirs(created.cgroup.dirs); } catch { /* gc removes it later */ }
  }
  if (req.remove || failed) {
    rmSync(req.paths.dir, { recursive: true, force: true });
    deps.store.remove(record);
  } else {
    deps.store.save(record);
  }
}
