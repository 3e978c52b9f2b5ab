// `runc exec`: a new process in a running container, through the engine's exec stage.
import { resolve } from "node:path";
import type { Process } from "../../config/schema.ts";
import { planExec, startExec, containerMayPtrace } from "../exec.ts";
import { compiledSeccomp } from "../seccomp-cache.ts";
import { ARCH } from "../../sys/arch.ts";
import { writeFileAtomic } from "../../state/files.ts";
import { RuntimeError } from "../errors.ts";
import { sendConsole } from "./console.ts";
import { readBundleSpec } from "./bundle.ts";
import { refuseUnheldCapabilities } from "./create.ts";
import type { OciDeps } from "./container.ts";

export interface ExecRequest {
  id: string;
  process: Process;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
}

/** `exec`: a new process in the running container (the engine's exec stage). Returns its status (0 when detached). */
export async function ociExec(req: ExecRequest, deps: OciDeps): Promise<number> {
  const { store } = deps;
  const rec = store.get(req.id);
  store.permit(rec, "exec");
  const p = req.process;
  refuseUnheldCapabilities(p, deps);
  if (p.terminal && !req.consoleSocket) throw new RuntimeError("cannot allocate tty if runc will detach without setting console socket", 1);
  const spec = readBundleSpec(rec.bundle);
  const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, deps.seccompCache) : undefined;
  // runc exec: the process's own profile (--apparmor, process.json), else the container's
  const apparmor = p.apparmorProfile ?? spec.process?.apparmorProfile;
  if (apparmor) (await import("../apparmor.ts")).prepareProfile(apparmor, deps.appArmor, { noNewPrivileges: p.noNewPrivileges });
  const steps = planExec(rec.pid!, spec.linux?.namespaces ?? [], {
    args: p.args ?? [], env: p.env ?? [], cwd: p.cwd ?? "/",
    user: p.user ?? { uid: 0, gid: 0 },
    capabilities: p.capabilities as never,
    noNewPrivileges: p.noNewPrivileges,
  }, { closeStdin: false, terminal: p.terminal, console: p.terminal, seccomp, apparmor });
  const started = await startExec(deps.sys, { pid: rec.pid, name: rec.id, cgroupDirs: rec.cgroupDirs }, steps, {
    stdio: ["inherit", "inherit", "inherit"], detach: req.detach, oomScoreAdj: p.oomScoreAdj,
    freezeWhileStarting: containerMayPtrace(spec.process?.capabilities) ? { lockPath: `${deps.store.dir(rec.id)}/exec-freeze.lock` } : undefined,
    onConsole: req.consoleSocket ? (master) => sendConsole(req.consoleSocket!, master) : undefined,
    onStarted: (pid) => {
      if (req.pidFile) writeFileAtomic(resolve(req.pidFile), String(pid), 0o644);
    },
  });
  if (req.pidFile && req.detach) writeFileAtomic(resolve(req.pidFile), String(started.pid), 0o644);
  return started.status;
}
