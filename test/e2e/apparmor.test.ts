// AppArmor as the containers get it, on this host: with AppArmor on (the systemd VM, Ubuntu) each
// container runs under bunbox-default and the profile refuses what the capabilities alone would
// allow; with it off (this lab machine) nothing is confined and a named profile is refused. Each
// kind of host has its own golden (apparmor/enabled.txt, apparmor/disabled.txt), so the test
// fails on either when the behaviour is not that host's.
//
// Nothing here can hurt the host: the mounts are made in the containers' own mount namespaces,
// and the kernel's knobs (/proc/sys, the cgroup tree) are only remounted there, never written.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { Sandbox } from "./harness.ts";
import { RuncSandbox } from "./runc-harness.ts";
import { golden } from "../golden.ts";

const enabled = (() => {
  try { return readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y" && existsSync("/sys/kernel/security/apparmor"); } catch { return false; }
})();
const GOLDEN = `apparmor/${enabled ? "enabled" : "disabled"}.txt`;

const sb = new Sandbox();
const runc = new RuncSandbox();
afterAll(() => {
  sb.run(["rm", "-f", "aa-web"]);
  if (process.env.UPDATE_GOLDEN === "1") golden(GOLDEN, [...sections].map(([name, text]) => `## ${name}\n${text}\n`).join(""));
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  runc.cleanup();
});

/** The label a process shows; absent where no LSM provides one. */
const LABEL = (pid: string) => `cat /proc/${pid}/attr/current 2>/dev/null || echo "(no label)"`;

/** Where AppArmor is off, "unconfined" and "no label at all" are the same fact. */
function norm(text: string): string {
  const out = sb.normalise(text.replace(/rev-[0-9a-f]{12}/g, "rev-<REV>"));
  return enabled ? out : out.replace(/^unconfined$/gm, "(no label)");
}

const sections = new Map<string, string>();
/** One named section of the golden: the commands with their output and exit status. */
function expectSection(name: string, text: string): void {
  sections.set(name, text);
  if (process.env.UPDATE_GOLDEN === "1") return;
  const all = golden(GOLDEN, "");
  // Each section ends with a blank line, which is the file's, not the section's
  const want = all.split(/^## /m).find((s) => s.startsWith(`${name}\n`))?.slice(name.length + 1, -1);
  expect(text).toBe(want ?? `(no section "${name}" in test/golden/${GOLDEN})`);
}

/** `bunbox ARGS…` as a transcript: the command, its stdout, its stderr lines marked, its status. */
function transcript(args: string[], r = sb.run(args)): string {
  const err = r.stderr.split("\n").filter(Boolean).map((l) => `2> ${l}\n`).join("");
  return norm(`$ bunbox ${args.map((a) => (/^[\w=:./,-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ")}\n${r.stdout}${err}[exit ${r.code}]\n`);
}

const run = (...args: string[]) => transcript(["run", "--rm", ...args]);

describe(`AppArmor ${enabled ? "on" : "off"} here`, () => {
  test("a container's PID 1, by default", () => {
    expectSection("default", run("busybox", "sh", "-c", LABEL("1")));
  });

  test("bunbox-default is loaded, with the revision of its text", () => {
    const list = enabled ? readFileSync("/sys/kernel/security/apparmor/profiles", "utf8").split("\n").filter((l) => l.startsWith("bunbox-default")).sort().join("\n") : "(AppArmor off: nothing to load)";
    expectSection("loaded", norm(list + "\n"));
  });

  test("CAP_SYS_ADMIN alone would allow mounts: the profile refuses them", () => {
    expectSection("mount", [
      run("--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "mount -t tmpfs t /tmp && echo mounted"),
      run("--cap-add", "SYS_ADMIN", "--security-opt", "apparmor=unconfined", "busybox", "sh", "-c", "mount -t tmpfs t /tmp && echo mounted"),
      // The way to writable sysctls, or to a writable cgroup tree (CVE-2022-0492's release_agent)
      run("--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "mount -o remount,bind,rw /proc/sys && echo remounted"),
      run("--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", "mount -o remount,rw /sys/fs/cgroup && echo remounted"),
    ].join(""));
  });

  // Only paths every kernel has: this lab's has no /proc/kcore nor /proc/sysrq-trigger (in the
  // VM, reading kcore through its /dev/null mask is refused by the profile)
  test("sysctls not writable; the process's own /proc files are", () => {
    expectSection("files", [
      run("busybox", "sh", "-c", "echo 1 > /proc/sys/kernel/core_pattern"),
      run("busybox", "sh", "-c", "echo 500 > /proc/self/oom_score_adj && cat /proc/self/oom_score_adj"),
    ].join(""));
  });

  test("--privileged and apparmor=unconfined: no profile; no-new-privileges and -u: the profile still", () => {
    expectSection("options", [
      run("--privileged", "busybox", "sh", "-c", LABEL("1")),
      run("--security-opt", "apparmor=unconfined", "busybox", "sh", "-c", LABEL("1")),
      run("--security-opt", "no-new-privileges", "-u", "nobody", "busybox", "sh", "-c", LABEL("1")),
    ].join(""));
  });

  test("a named profile: entered where it is loaded, refused in one line otherwise", () => {
    expectSection("named", [
      run("--security-opt", "apparmor=bunbox-default", "busybox", "sh", "-c", LABEL("1")),
      run("--security-opt", "apparmor:bunbox-default", "busybox", "sh", "-c", LABEL("1")),
      run("--security-opt", "apparmor=not-a-loaded-profile", "busybox", "true"),
    ].join(""));
  });

  test("--init: the program is confined; bunbox's own PID 1 is not (it was started unconfined)", () => {
    expectSection("init", run("--init", "busybox", "sh", "-c", `${LABEL("self")}; ${LABEL("1")}`));
  });

  test("exec runs under the container's profile; inspect shows it", () => {
    const started = sb.run(["run", "-d", "--name", "aa-web", "busybox", "sleep", "60"]);
    expect(started.code).toBe(0);
    expectSection("exec", [
      transcript(["exec", "aa-web", "sh", "-c", LABEL("self")]),
      transcript(["inspect", "-f", "{{.AppArmorProfile}}", "aa-web"]),
    ].join(""));
    expect(sb.run(["rm", "-f", "aa-web"]).code).toBe(0);
  });

  test("--explain narrates the step", () => {
    const r = sb.run(["explain", "run", "busybox", "true"]);
    expect(r.code).toBe(0);
    expectSection("explain", r.stdout.split("\n").filter((l) => l.includes("apparmor")).map((l) => `${l}\n`).join("") || "(no AppArmor step)\n");
  });

  test("OCI mode: config.json's apparmorProfile applied, or refused where it cannot be", () => {
    const bundle = runc.bundle("aa", (spec) => {
      spec.process.args = ["sh", "-c", LABEL("self")];
      spec.process.apparmorProfile = "bunbox-default";
    });
    const r = runc.runc(["run", "--bundle", bundle, "aa-runc"]);
    runc.runc(["delete", "-f", "aa-runc"]);
    expectSection("runc", transcript(["runc", "run", "--bundle", "<BUNDLE>", "aa-runc"], r));
  });
});
