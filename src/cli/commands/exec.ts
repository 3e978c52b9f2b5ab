// `bunbox exec [-i] [-e K=V] [-w DIR] [-u USER] [-d] CONTAINER COMMAND [ARG...]`
import { readFileSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import { splitRunArgs } from "../argv.ts";
import { EXEC_VALUE_OPTIONS } from "./exec-options.ts";
import { ArgumentCountError, UsageError } from "../../config/errors.ts";
import { expandEnvArg, mergeEnv } from "../../config/env.ts";
import { resolveUser, parsePasswd, parseGroup } from "../../config/user.ts";
import { readBoundedInRoot, USER_FILE_MAX } from "../../linux/mounts/inroot.ts";
import { coreStatusOf, permit } from "../../runtime/lifecycle.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { planExec, execInContainer, containerMayPtrace } from "../../runtime/exec.ts";
import { compiledSeccomp } from "../../runtime/seccomp-cache.ts";
import { ARCH } from "../../sys/arch.ts";
import type { Spec } from "../../config/schema.ts";
import { openTerminal } from "../terminal.ts";
import { startRelay, type Relay } from "../relay.ts";
import { narrationFor } from "../../runtime/narrate.ts";
import { explainMode } from "./run.ts";
import { bool, list, str } from "../values.ts";

export async function execCommand(args: string[], ctx: Context): Promise<number> {
  const split = splitRunArgs(args, EXEC_VALUE_OPTIONS);
  const needs2 = () => new ArgumentCountError(`"bunbox exec" requires at least 2 arguments: bunbox exec [OPTIONS] CONTAINER COMMAND [ARG...]`);
  // Before cac's own count, which knows only of the container (the command is split off here)
  if (split.image === undefined && !split.options.includes("--help")) throw needs2();
  const p = ctx.parse("exec", [...split.options, ...(split.image !== undefined ? [split.image] : [])]);
  if (p.help) return 0;
  if (split.image === undefined || split.command.length === 0) throw needs2();
  const rec = ctx.containers().resolve(split.image);
  const status = coreStatusOf(rec);
  permit(rec, "exec-program", status);
  const spec = JSON.parse(readFileSync(`${rec.bundle}/config.json`, "utf8")) as Spec;
  const root = `/proc/${rec.pid}/root`;
  // The container can rewrite its /etc files at any moment: resolved and read through one fd
  const read = (f: string) => readBoundedInRoot(root, f, USER_FILE_MAX);
  const user = str(p.options.user) !== undefined
    ? execUser(str(p.options.user)!, read)
    : { ...spec.process!.user, home: undefined };
  const userEnv = list(p.options.env).flatMap((e) => expandEnvArg(e, process.env) ?? []);
  const env = mergeEnv(spec.process?.env ?? [], "home" in user && user.home ? [`HOME=${user.home}`] : [], bool(p.options.tty) ? ["TERM=xterm"] : [], userEnv);
  const workdir = str(p.options.workdir);
  if (workdir !== undefined && !workdir.startsWith("/")) throw new RuntimeError(`exec: the working directory "${workdir}" must be an absolute path`, 126);
  const steps = planExec(rec.pid!, spec.linux?.namespaces ?? [], {
    args: split.command,
    env,
    cwd: workdir ?? spec.process?.cwd ?? "/",
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids ?? [] },
    capabilities: spec.process?.capabilities,
    noNewPrivileges: spec.process?.noNewPrivileges,
  }, {
    closeStdin: !bool(p.options.interactive),
    terminal: bool(p.options.tty),
    // -t: the pty comes from the container's own devpts (made by the exec stage in there), so
    // `tty` in it names /dev/pts/N as Docker's exec -t does; a host pty is no tty of the container
    console: bool(p.options.tty),
    seccomp: spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, `${ctx.paths.run}/seccomp`) : undefined,
    apparmor: spec.process?.apparmorProfile,
  });
  // The profile may have been unloaded since the container started (a reboot cannot be it: the
  // container would be gone; apparmor.service restarts, unattended upgrades): load it again
  if (spec.process?.apparmorProfile) (await import("../../runtime/apparmor.ts")).prepareProfile(spec.process.apparmorProfile, ctx.appArmor(), { noNewPrivileges: spec.process.noNewPrivileges });
  const narrate = narrationFor(explainMode(p.options.explain), ctx.sys().isatty(2));
  const freezeWhileStarting = containerMayPtrace(spec.process?.capabilities) ? { lockPath: `${ctx.paths.run}/${rec.id}/exec-freeze.lock` } : undefined;
  // Docker refuses exec into a paused container (with CAP_SYS_PTRACE this is checked under the
  // freeze lock: another exec's own short freeze is not a pause)
  if (!freezeWhileStarting && status === "paused") throw new RuntimeError(`container ${rec.name} is paused, unpause the container before exec`, 1);
  // No process would stay to hold the terminal's master side (Docker's daemon does): say so
  // rather than block until the command ends
  if (bool(p.options.tty) && bool(p.options.detach)) throw new UsageError("exec -d with -t is not supported: nothing would hold the terminal once bunbox returns (drop -t)");
  // Docker's exec runs with the container's score (0 unless --oom-score-adj), never bunbox's own
  const oomScoreAdj = spec.process?.oomScoreAdj ?? 0;
  // -d: Docker discards a detached exec's output; it must not keep bunbox's terminal or files
  if (bool(p.options.detach)) return execInContainer(ctx.sys(), rec, steps, { stdio: ["ignore", "ignore", "ignore"], detach: true, narrate, freezeWhileStarting, oomScoreAdj });
  if (!bool(p.options.tty)) {
    // Pipes copied by bunbox, never bunbox's own stdio (see RUN_STDIO)
    let relay: Relay | undefined;
    try {
      return await execInContainer(ctx.sys(), rec, steps, { stdio: "relay", detach: false, narrate, freezeWhileStarting, oomScoreAdj, onSpawned: (ends) => { relay = startRelay(ends, bool(p.options.interactive)); } });
    } finally {
      relay?.stopInput();
      await relay?.drained(5000);
    }
  }
  const term = openTerminal(ctx.sys(), bool(p.options.interactive));
  try {
    return await execInContainer(ctx.sys(), rec, steps, { stdio: ["ignore", "ignore", "ignore"], detach: false, onConsole: (m) => term.onConsole(m), onStarted: () => term.attach(), narrate, freezeWhileStarting, oomScoreAdj });
  } finally {
    await term.close();
  }
}

/** -u inside the running container: a user it does not have fails the exec, 126 as in Docker. */
function execUser(spec: string, read: (path: string) => { text: string; problem?: string }) {
  try {
    const passwd = read("/etc/passwd"), group = read("/etc/group");
    return resolveUser(spec, parsePasswd(passwd.text), parseGroup(group.text), [], { passwd: passwd.problem, group: group.problem });
  } catch (e) {
    throw new RuntimeError((e as Error).message, 126);
  }
}
