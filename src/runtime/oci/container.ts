// The OCI lifecycle on top of the shared engine: what `bunbox runc` start, kill, delete, pause,
// resume, update, ps and state do, with runc's answers for every wrong transition (create is in
// create.ts, exec in exec.ts: start, state and delete, each a process of its own under Docker and
// containerd, load neither, nor the schema). The CLI in src/cli/runc/ only parses flags and prints.
import { readFileSync } from "../../sys/files.ts";
import type { Spec, LinuxResources } from "../../config/schema.ts";
import type { CreateDeps } from "../create.ts";
import { releaseInit } from "../core/exec-fifo.ts";
import { RuntimeError } from "../errors.ts";
import { checkId, type OciStore, type OciRecord, type OciState } from "./state.ts";
import { cgroupOf } from "../cgroup-of.ts";
import { can } from "../core/transitions.ts";
import { hasLiveInit } from "../core/status.ts";
import { signalContainer, killEverything, freezeContainer, thawContainer, releaseCgroup } from "../core/acts.ts";
import { runHooks } from "./hooks.ts";
import { removeHostRoot } from "./host-root.ts";
import type { HostProbe } from "../../host/probe.ts";

export interface OciDeps extends CreateDeps {
  store: OciStore;
  /** Also what runc's checks ask the host probe: the kernel's last capability, systemd, SELinux. */
  host: Pick<HostProbe, "kernel" | "systemdBooted" | "selinux">;
}

/** `start`: release a created container (read its exec fifo), then the poststart hooks. */
export async function ociStart(id: string, deps: OciDeps): Promise<void> {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "start");
  await startCreated(rec, () => hooksOf(rec.bundle, "poststart"), deps);
}

/**
 * `run`'s start of the container its create just made: the record and spec it holds already
 * (read again from disk, they cost ~2 ms of every `runc run`), the status known to be created.
 */
export async function ociStartCreated(created: { rec: OciRecord; spec: Spec }, deps: OciDeps): Promise<void> {
  await startCreated(created.rec, () => created.spec.hooks?.poststart, deps);
}

type Hooks = NonNullable<Spec["hooks"]>["poststart"];

async function startCreated(rec: OciRecord, poststartOf: () => Hooks | Promise<Hooks>, deps: OciDeps): Promise<void> {
  const { store } = deps;
  const id = rec.id;
  let released: boolean;
  try {
    released = releaseInit(store.execFifo(id), rec, deps.sys);
  } catch (e) {
    // runc's start fails with 1, whatever Docker would answer
    if (e instanceof RuntimeError && e.exitCode !== 1) throw new RuntimeError(e.message, 1);
    throw e;
  }
  if (!released) store.permit(rec, "start", "stopped");
  const poststart = await poststartOf();
  if (!poststart?.length) return;
  try {
    // After the program started (the fifo closed at its execve): the state says so (runc says "created")
    const state = store.state(rec);
    await runHooks("poststart", poststart, state.status === "created" ? { ...state, status: "running" } : state);
  } catch { /* poststart failures are logged by runc, not fatal */ }
}

export function ociKill(id: string, signal: number, all: boolean, deps: OciDeps): void {
  const { store } = deps;
  const rec = store.get(id);
  const status = store.status(rec);
  store.permit(rec, "kill", status);
  signalContainer(rec, status, signal, all);
}

/** `spec`: the bundle's, when the caller holds it already (`run`, which created the container). */
export async function ociDelete(id: string, force: boolean, deps: OciDeps, spec?: Spec): Promise<void> {
  const { store } = deps;
  checkId(id);
  const rec = store.load(id);
  if (!rec) {
    if (force) { store.removeDir(id); return; }
    throw new RuntimeError("container does not exist", 1);
  }
  const status = store.status(rec);
  if (can(status, "delete") !== "ok" && !force) store.permit(rec, "delete", status);
  // runc's destroy: a created container's waiting init goes too, without --force
  if (hasLiveInit(status)) await killEverything(rec, status);
  releaseCgroup(rec);
  if (rec.hostRoot) removeHostRoot(rec.hostRoot, deps.sys);
  const poststop = spec ? spec.hooks?.poststop : await hooksOf(rec.bundle, "poststop");
  if (poststop?.length) {
    try {
      await runHooks("poststop", poststop, { ...store.state(rec), status: "stopped", pid: 0 });
    } catch { /* logged, not fatal (runc) */ }
  }
  store.removeDir(id);
}

export async function ociPause(id: string, deps: OciDeps): Promise<void> {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "pause");
  if (!(await freezeContainer(rec))) throw new RuntimeError("cannot pause: no freezer cgroup", 1);
}

export function ociResume(id: string, deps: OciDeps): void {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "resume");
  thawContainer(rec);
}

export function ociPs(id: string, deps: OciDeps): number[] {
  const rec = deps.store.get(id);
  return cgroupOf(rec).pids();
}

export function ociUpdate(id: string, resources: LinuxResources, deps: OciDeps): void {
  const rec = deps.store.get(id);
  deps.store.permit(rec, "update");
  try {
    cgroupOf(rec).update(deps.cgroupHost, resources);
  } catch (e) {
    throw new RuntimeError((e as Error).message, 1);
  }
}

export function ociState(id: string, deps: OciDeps): OciState {
  return deps.store.state(deps.store.get(id));
}

/**
 * The bundle's `kind` hooks, or undefined if it has none or cannot be read. Checked against the
 * schema only when there are some: start and delete (each a process of their own under Docker
 * and containerd) paid ~the schema's construction for every container to learn there were none.
 */
async function hooksOf(bundle: string, kind: "poststart" | "poststop"): Promise<Hooks> {
  try {
    const raw = JSON.parse(readFileSync(`${bundle}/config.json`, "utf8")) as { hooks?: Record<string, unknown[] | undefined> } | null;
    if (!raw?.hooks?.[kind]?.length) return undefined;
    return (await import("./bundle.ts")).readBundleSpec(bundle).hooks?.[kind];
  } catch {
    return undefined;
  }
}

