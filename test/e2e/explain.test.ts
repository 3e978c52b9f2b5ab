// --explain and `bunbox explain run`: deterministic narration of the plan, apart from ids,
// pids and times, compared with golden files.
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { Sandbox } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
afterAll(() => sb.cleanup());

/** ids, pids, times, the image digest, and this machine's own cgroup paths become placeholders. */
function norm(text: string): string {
  let out = sb.normalise(text)
    .replace(/sha256\/[0-9a-f]{64}/g, "sha256/<DIGEST>")
    .replace(/= \d+(  #)/g, "= <PID>$1")
    .replace(/echo \d+ > cgroup.procs/g, "echo <PID> > cgroup.procs")
    .replace(/\(\d+\.\d+ ms\)/g, "(<MS> ms)")
    // --rm's overlay is volatile only on kernels that have the option (5.10+): a plan unit test covers both
    .replace(/,volatile"\)/g, '")');
  // How the container's cgroup is made differs from machine to machine (where this process sits
  // in each hierarchy; cgroupfs's mkdir and join, or systemd's scope around the init): the
  // limits written there stay in the golden. So does /proc/kcore, which /dev/core links to only
  // where it exists (as runc)
  const manager = /^cgroups +(mkdir |(init: )?echo <(PID|pid)> > cgroup\.procs|systemd StartTransientUnit)/;
  return dropAppArmorLine(out.split("\n").filter((l) => !manager.test(l) && !l.includes('symlink("/proc/kcore", "/dev/core")'))).join("\n");
}

/**
 * Hosts with AppArmor have one more step (test/e2e/apparmor.test.ts checks it in full): it must
 * be there, once, and is then left out so that one golden holds with and without AppArmor.
 */
function dropAppArmorLine(lines: string[]): string[] {
  const isAppArmor = (l: string) => /^security +apparmor: (exec|changeprofile) /.test(l);
  let enabled = false;
  try { enabled = readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y" && existsSync("/sys/kernel/security/apparmor"); } catch { /* no module */ }
  expect(lines.filter(isAppArmor).length).toBe(enabled ? 1 : 0);
  return lines.filter((l) => !isAppArmor(l));
}

test("explain run: the plan, without running anything", () => {
  const r = sb.run(["explain", "run", "--rm", "-h", "talk", "-u", "nobody", "--read-only", "busybox", "echo", "hi"]);
  expect(r.code).toBe(0);
  // The container's cgroup: made by bunbox (cgroupfs), or a scope systemd will make (systemd)
  const made = r.stdout.split("\n").filter((l) => /^cgroups +(mkdir |systemd StartTransientUnit)/.test(l));
  expect(made.length).toBeGreaterThan(0);
  expect(norm(r.stdout)).toBe(golden(`explain/plan-${hostMode()}.txt`, norm(r.stdout)));
  expect(sb.leftovers()).toEqual([]);
});

test("run --explain narrates the same records as it applies them; --explain=timing adds durations", () => {
  const r = sb.box(["--explain", "-h", "talk", "busybox", "echo", "hi"]);
  expect([r.code, r.stdout]).toEqual([0, "hi\n"]);
  expect(norm(r.stderr)).toBe(golden(`explain/run-${hostMode()}.txt`, norm(r.stderr)));
  const t = sb.box(["--explain=timing", "busybox", "true"]);
  const lines = t.stderr.trim().split("\n");
  expect(lines.filter((l) => /^(filesystem|security|process|namespaces|network) .*\(\d+\.\d+ ms\)$/.test(l)).length).toBeGreaterThan(20);
  // The step lines end with the execve; the timeline follows, both processes' milestones in order
  const timeline = lines.findIndex((l) => l.startsWith("timeline"));
  expect(lines[timeline - 1]).toMatch(/^process +execve\("true"/);
  const milestones = lines.slice(timeline + 1).map((l) => l.match(/^timeline +[\d.]+ ms +\+ *[\d.]+ +(cli|init) +(.*)$/)?.slice(1, 3).join(": "));
  // The cgroup: made from the flags and joined by the init itself (cgroupfs), or a scope that
  // systemd made around the init (systemd hosts), spec built before or after it accordingly
  const selfJoin = milestones.includes("cli: cgroup made; the init told to join it");
  const cgroupMark = selfJoin ? "cli: cgroup made; the init told to join it" : "cli: systemd scope made";
  // Each process's milestones in its order; across the two, only what one causes in the other
  const cli = ["cli: process started", "cli: init stage spawned", cgroupMark, "cli: plan sent", "cli: ready received", "cli: program running (its execve closed the channel)", "cli: program exited", "cli: cleaned up (cgroup, record, and the bundle with --rm)"];
  const init = ["init: init stage running", ...(selfJoin ? ["init: joined its cgroup"] : []), "init: plan received", "init: ready sent"];
  const causes = [["cli: init stage spawned", "init: init stage running"], ...(selfJoin ? [[cgroupMark, "init: joined its cgroup"]] : []), ["cli: spec built", "cli: plan sent"], ["cli: plan sent", "init: plan received"], ["init: ready sent", "cli: ready received"]];
  const at = (m: string) => milestones.indexOf(m);
  const inOrder = (chain: string[]) => chain.every((m, i) => i === 0 || at(chain[i - 1]!) < at(m));
  expect([inOrder(cli), inOrder(init), ...causes.map(inOrder)]).toEqual([true, true, ...causes.map(() => true)]);
  const order = [...cli, ...init, "cli: spec built"];
  expect(order.filter((m) => !milestones.includes(m))).toEqual([]);
});

test("--explain=timeline: the timeline alone, no line a step (what a run costs without narrating it)", () => {
  const t = sb.box(["--explain=timeline", "busybox", "true"]);
  expect(t.code).toBe(0);
  const lines = t.stderr.trim().split("\n");
  expect(lines.filter((l) => !l.startsWith("timeline")).length).toBe(0);
  for (const m of ["cli   init stage spawned", "init  plan received", "init  ready sent", "cli   cleaned up"]) expect(lines.some((l) => l.includes(m))).toBe(true);
});

test("plain output when stderr is not a terminal: no escape codes", () => {
  const r = sb.box(["--explain", "busybox", "true"]);
  expect(r.stderr).not.toContain("\x1b[");
});

function hostMode(): string {
  try { readFileSync("/sys/fs/cgroup/cgroup.controllers"); return "v2"; } catch { return "v1"; }
}
