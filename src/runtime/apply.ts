// Walks a plan and makes the kernel calls, inside the init (or exec) stage: a table from step
// kind to the applier in the folder that plans that kind. Synchronous only: after
// unshare(CLONE_NEWNS) Bun's pool threads still live in the host's mount namespace.
// No node:fs in the init stage: loading it cost ~3.5 ms of every container start (src/sys instead)
import type { Step } from "../linux/steps.ts";
import type { StepContext } from "../linux/apply-context.ts";
import { BunboxError } from "../errors.ts";
import { resolveExecutable, ExecError } from "../linux/process/executable.ts";
import { StayAsInit } from "./pid1.ts";
import { narrate, stepLine, type Narration } from "./narrate.ts";
import { mark } from "./timeline.ts";
import { namespaceAppliers } from "../linux/namespaces/apply.ts";
import { mountAppliers } from "../linux/mounts/apply.ts";
import { processAppliers } from "../linux/process/apply.ts";
import { setExecProfile, procAttrIO } from "../linux/apparmor/apply.ts";

/** What the appliers work with (linux/apply-context.ts), and the interpreter's narration. */
export interface ApplyContext extends StepContext {
  /** --explain: a line per step on stderr, as it is applied. */
  narrate?: Narration;
}

/** A step failed: which one, and the kernel error behind it. */
export class StepError extends BunboxError {
  constructor(readonly step: Step, readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), cause instanceof BunboxError ? cause.exitCode : 125);
  }
}

export function applyPlan(steps: Step[], ctx: ApplyContext): never {
  for (const [i, step] of steps.entries()) {
    const n = ctx.narrate, lines = n !== undefined && n.steps !== false;
    // The last step never returns: say it before, like every step when not timing
    if (lines && (!n.timing || step.kind === "exec")) narrate(stepLine(step, n));
    const t0 = performance.now();
    try {
      applyStep(step, ctx);
      if (n?.timing) {
        if (lines) narrate(stepLine(step, n, performance.now() - t0));
        // The timeline gets a line a run of steps of one concept (namespaces, filesystem …)
        const next = steps[i + 1];
        if (next && next.concept !== step.concept && next.kind !== "exec") mark(`${step.concept} steps done`);
      }
    } catch (e) {
      if (e instanceof ExecError || e instanceof StayAsInit) throw e;
      throw new StepError(step, e);
    }
  }
  throw new Error("plan ended without exec");
}

type Kind<K extends Step["kind"]> = Extract<Step, { kind: K }>;

/**
 * Every step kind's applier, from the folder that plans it (linux/<feature>/apply.ts); only the
 * stage's own steps (hooks, exec) are here. A kind missing from the table does not compile.
 */
const APPLIERS: { [K in Step["kind"]]: (step: Kind<K>, ctx: ApplyContext) => void } = {
  ...namespaceAppliers,
  ...mountAppliers,
  ...processAppliers,
  "apparmor": (step, { sys }) => setExecProfile(step.profile, procAttrIO(sys), step.now),
  // Installed by the exec step, with nothing of bunbox's own between it and the execve
  "seccomp": (step, ctx) => void (ctx.filter = { program: Buffer.from(step.program, "base64"), flags: step.flags }),
  "create-hooks": (step, ctx) => {
    if (!ctx.createHooks) throw new Error("no runtime to run the create hooks with");
    ctx.createHooks(step.hooks);
  },
  "exec": applyExec,
};

/** One step's kernel calls (exported for the unit tests, which apply each kind against a fake Sys). */
export function applyStep(step: Step, ctx: ApplyContext): void {
  const apply = (APPLIERS as Record<string, ((step: Step, ctx: ApplyContext) => void) | undefined>)[step.kind];
  // A step kind added to steps.ts without its applier: refused, never skipped in silence
  if (!apply) throw new Error(`no applier for step kind "${step.kind}"`);
  apply(step, ctx);
}

function applyExec(step: Kind<"exec">, ctx: ApplyContext): void {
  const { sys } = ctx;
  const env = step.env;
  // Found, reported "ready", started and fds closed while no filter is in: none of it is a
  // system call the container's profile has to allow
  const lookup = () => resolveExecutable(sys, step.args[0] ?? "", env);
  let path = ctx.lookupAtStart ? undefined : lookup();
  ctx.beforeExec();
  path ??= lookup();
  if (step.init) {
    // --init: this stage goes on running (under the filter, as Docker's tini does) without
    // the capability it held back for installing it
    if (ctx.filter) sys.seccompInstall(ctx.filter.program, ctx.filter.flags);
    if (ctx.finalCaps) sys.capset(ctx.finalCaps.effective, ctx.finalCaps.permitted, ctx.finalCaps.inheritable);
    throw new StayAsInit(path, step.args, env);
  }
  if (ctx.filter) sys.seccompExecve(ctx.filter.program, ctx.filter.flags, path, step.args, env);
  sys.execve(path, step.args, env);
}
