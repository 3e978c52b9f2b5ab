// `bunbox explain run [OPTIONS] IMAGE [COMMAND...]`: the system calls `run` would make, from the
// same plan records, without running anything (and without root).
import type { Context } from "../context.ts";
import { parseRun, buildSpec, explainMode } from "./run.ts";
import { UsageError } from "../../spec/errors.ts";
import { describeImageReadOnly } from "../../runtime/images.ts";
import { planInit } from "../../runtime/plan.ts";
import { cgroupLayoutForMounts, parentLines } from "../../runtime/create.ts";
import { compiledSeccomp } from "../../runtime/seccomp-cache.ts";
import { narrationFor, stepLine } from "../../runtime/narrate.ts";
import { cgroupDriver } from "../../cgroups/driver.ts";
import { ARCH } from "../../sys/arch.ts";

export async function explainCommand(args: string[], ctx: Context): Promise<number> {
  if (args[0] !== "run") throw new UsageError(`usage: bunbox explain run [OPTIONS] IMAGE [COMMAND [ARG...]]`);
  const parsed = await parseRun(args.slice(1), ctx);
  if (!parsed) return 0;
  const image = await describeImageReadOnly(parsed.image, () => ctx.imageStore(), () => ctx.embeddedImage());
  const { id, built } = buildSpec(ctx, image, parsed.flags);
  const spec = built.spec;
  const host = ctx.cgroupHost();
  const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, undefined) : undefined;
  const plan = planInit(spec, { cgroups: cgroupLayoutForMounts(host) }, seccomp);
  const n = narrationFor(explainMode(parsed.o.explain) ?? true, ctx.sys().isatty(1))!;
  const driver = cgroupDriver(host), path = spec.linux?.cgroupsPath ?? `bunbox/${id}`;
  const cgroup = { dirs: driver.dirsFor(path) };
  ctx.out(parentLines(cgroup, driver.plan(path, spec.linux?.resources ?? {}), "<pid>", true, { ...n, timing: false }) + plan.map((s) => stepLine(s, { ...n, timing: false })).join(""));
  return 0;
}
