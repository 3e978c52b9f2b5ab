// `bunbox explain run [OPTIONS] IMAGE [COMMAND...]`: the system calls `run` would make, from the
// same plan records, without running anything (and without root).
import type { Context } from "../context.ts";
import { parseRun, buildSpec, explainMode } from "./run.ts";
import { UsageError } from "../../config/errors.ts";
import { describeImageReadOnly } from "../../runtime/images.ts";
import { planInit } from "../../runtime/plan.ts";
import { cgroupLayoutForMounts, parentLines } from "../../runtime/create.ts";
import { compiledSeccomp } from "../../runtime/seccomp-cache.ts";
import { narrationFor, stepLine } from "../../runtime/narrate.ts";
import { cgroupDriver, v2PlannedWrites } from "../../cgroups/driver.ts";
import { leavesOf } from "../../cgroups/nesting.ts";
import { expectedScopeDir, parseSystemdPath, unitName } from "../../cgroups/systemd-scope.ts";
import { ARCH } from "../../sys/arch.ts";
import { bool } from "../values.ts";

export async function explainCommand(args: string[], ctx: Context): Promise<number> {
  if (args[0] !== "run") throw new UsageError(`usage: bunbox explain run [OPTIONS] IMAGE [COMMAND [ARG...]]`);
  const parsed = await parseRun(args.slice(1), ctx);
  if (!parsed) return 0;
  const image = await describeImageReadOnly(parsed.image, () => ctx.imageStore(), () => ctx.embeddedImage());
  const { id, built } = buildSpec(ctx, image, parsed.flags);
  const spec = built.spec;
  const host = ctx.cgroupHost();
  const seccomp = spec.linux?.seccomp ? await compiledSeccomp(spec.linux.seccomp, ARCH, undefined) : undefined;
  const plan = planInit(spec, { cgroups: cgroupLayoutForMounts(host), kcore: ctx.host().kernel.kcore }, seccomp, { dieWithParent: !bool(parsed.o.detach) });
  const n = narrationFor(explainMode(parsed.o.explain) ?? true, ctx.sys().isatty(1))!;
  const driver = cgroupDriver(host), path = spec.linux?.cgroupsPath ?? `bunbox/${id}`, resources = spec.linux?.resources ?? {};
  const scope = parseSystemdPath(path);
  const cgroup = scope ? { dirs: [expectedScopeDir(host, scope)], unit: unitName(scope) } : { dirs: driver.dirsFor(path) };
  const writes = scope ? v2PlannedWrites(cgroup.dirs[0]!, resources) : driver.plan(path, resources);
  // --pid host or container:NAME: no new pid namespace (the spec has none, or one by path)
  const pidNs = (spec.linux?.namespaces ?? []).find((ns) => ns.type === "pid");
  const userNs = (spec.linux?.namespaces ?? []).find((ns) => ns.type === "user");
  const userns = userNs && !userNs.path ? { pid: "<bunbox-userns>", uid: spec.linux?.uidMappings ?? [], gid: spec.linux?.gidMappings ?? [] } : undefined;
  // An attached run's init is started first of all (main.ts) and moves itself into its cgroup
  const early = !bool(parsed.o.detach) && !bool(parsed.o.tty) && pidNs !== undefined && !pidNs.path;
  ctx.out(parentLines(cgroup, leavesOf(host, cgroup.dirs), writes, "<pid>", pidNs !== undefined && !pidNs.path, { ...n, timing: false }, userns, early) + plan.map((s) => stepLine(s, { ...n, timing: false })).join(""));
  return 0;
}
