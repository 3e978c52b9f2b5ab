// Docker 20.10's answers where bunbox differed (issue 15, "Bugs"): exit codes, messages, output.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
beforeAll(() => {
  expect(sb.run(["run", "-d", "--name", "live", "busybox", "sleep", "300"]).code).toBe(0);
  expect(sb.run(["run", "-d", "--name", "ended", "busybox", "sh", "-c", "echo hi; exit 3"]).code).toBe(0);
  expect(sb.run(["wait", "ended"]).stdout).toBe("3\n");
});
afterAll(() => {
  sb.run(["rm", "-f", "live", "ended"]);
  sb.cleanup();
});

test("inspect -f with a field Docker's data lacks: a template error, exit 1; a map's missing key is <no value>", () => {
  const r = sb.run(["inspect", "-f", "{{.NoSuchField}}", "ended"]);
  expect([r.code, r.stdout, r.stderr]).toEqual([1, "", `bunbox: Template parsing error: template: executing "" at <.NoSuchField>: map has no entry for key "NoSuchField"\n`]);
  expect(sb.run(["inspect", "-f", "{{.State.Nope}}", "ended"]).code).toBe(1);
  expect(sb.run(["inspect", "-f", "{{.Config.Labels.nope}}", "ended"]).stdout).toBe("<no value>\n");
  expect(sb.run(["inspect", "-f", "{{.State.ExitCode}}", "ended"]).stdout).toBe("3\n");
});

test("inspect: .Config.WorkingDir is \"\" unless -w or the image set it", () => {
  expect(sb.run(["inspect", "-f", "{{json .Config.WorkingDir}}", "ended"]).stdout).toBe('""\n');
  const id = sb.run(["create", "-w", "/tmp", "busybox", "true"]).stdout.trim();
  expect(sb.run(["inspect", "-f", "{{.Config.WorkingDir}}", id]).stdout).toBe("/tmp\n");
  sb.run(["rm", id]);
});

test("exec: every failure to start the command is 126, as Docker's OCI runtime exec failed", () => {
  for (const cmd of [["nosuchcmd"], ["./nope"], ["/no/such"], ["/etc"], ["/etc/passwd"]]) {
    const r = sb.run(["exec", "live", ...cmd]);
    expect([cmd, r.code]).toEqual([cmd, 126]);
  }
  expect(sb.run(["exec", "live", "nosuchcmd"]).stderr).toBe(`bunbox: exec: "nosuchcmd": executable file not found in $PATH\n`);
  expect(sb.run(["exec", "-w", "/nonexistent", "live", "true"]).code).toBe(126);
  expect(sb.run(["exec", "live", "sh", "-c", "exit 127"]).code).toBe(127); // the command's own status
});

test("an unknown flag is named as typed", () => {
  const r = sb.run(["ps", "--bogus-flag"]);
  expect([r.code, r.stderr]).toEqual([125, "bunbox: unknown flag: --bogus-flag (see 'bunbox ps --help')\n"]);
});

test("--cpus that is not a number: Docker's parse error", () => {
  const r = sb.run(["run", "--rm", "--cpus", "abc", "busybox", "true"]);
  expect([r.code, r.stderr]).toEqual([125, `bunbox: invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number\n`]);
  expect(sb.run(["run", "--rm", "--cpus", "1/2", "busybox", "cat", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"]).code).toBe(0);
});

test("--network bridge is refused in one line until bridge networking exists", () => {
  for (const mode of ["bridge", "default"]) {
    const r = sb.run(["run", "--rm", "--network", mode, "busybox", "true"]);
    expect([r.code, r.stderr]).toEqual([125, `bunbox: --network ${mode}: bridge networking is not available in bunbox yet; use --network none (loopback only, the default) or --network host\n`]);
  }
});

test("rename to its own name, or to a name in use: exit 1 as Docker's CLI", () => {
  const same = sb.run(["rename", "live", "live"]);
  expect([same.code, same.stderr]).toEqual([1, "bunbox: renaming a container with the same name as its current name\n"]);
  expect(sb.run(["rename", "live", "ended"]).code).toBe(1);
});

test("ps --help does not call --no-trunc's default true", () => {
  const help = sb.run(["ps", "--help"]).stdout;
  expect(help).toMatch(/--no-trunc +Don't truncate output *\n/);
  expect(sb.run(["ps", "-a", "--format", "{{.ID}}", "--filter", "name=ended"]).stdout).toMatch(/^[0-9a-f]{12}\n$/);
  expect(sb.run(["ps", "-a", "--no-trunc", "--format", "{{.ID}}", "--filter", "name=ended"]).stdout).toMatch(/^[0-9a-f]{64}\n$/);
});

test("logs -t: RFC 3339 with nanoseconds, 9 digits, as Docker", () => {
  expect(sb.run(["logs", "-t", "ended"]).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hi\n$/);
});

test("ps COMMAND quotes an argument holding a space, as Docker's daemon", () => {
  const cmd = sb.run(["ps", "-a", "--no-trunc", "--format", "{{.Command}}", "--filter", "name=ended"]).stdout;
  expect(cmd).toBe(`"sh -c 'echo hi; exit 3'"\n`);
  expect(sb.run(["ps", "-a", "--format", "{{.Command}}", "--filter", "name=ended"]).stdout).toBe(`"sh -c 'echo hi; exi…"\n`);
});

test("/dev/core links to /proc/kcore only when the host has it (as runc): never dangling", () => {
  const r = sb.run(["run", "--rm", "busybox", "sh", "-c", "if [ -L /dev/core ]; then test -e /dev/core && echo ok || echo dangling; else echo none; fi"]);
  expect(r.stdout).toBe(require("node:fs").existsSync("/proc/kcore") ? "ok\n" : "none\n");
});

test("IMAGE: a bare directory name works as a bare tarball name does; an imported image without a command is Docker's No command specified", () => {
  const work = mkdtempSync(`${tmpdir()}/bunbox-dirimg-`);
  try {
    expect(sb.run(["run", "--rm", "busybox", "true"]).code).toBe(0);
    const [digest] = readdirSync(`${sb.root}/images/sha256`);
    cpSync(`${sb.root}/images/sha256/${digest}/rootfs`, `${work}/dirimg`, { recursive: true, verbatimSymlinks: true });
    const dir = sb.run(["run", "--rm", "dirimg", "echo", "from a directory"], { cwd: work });
    expect([dir.code, dir.stdout, dir.stderr]).toEqual([0, "from a directory\n", ""]);
    // no command: a directory or raw tarball runs /bin/sh
    expect(sb.run(["run", "--rm", "-i", "dirimg"], { cwd: work, stdin: "echo sh ran\n" }).stdout).toBe("sh ran\n");
    Bun.spawnSync(["tar", "-cf", `${work}/img.tar`, "-C", `${work}/dirimg`, "."]);
    expect(sb.run(["import", `${work}/img.tar`, "imported"]).code).toBe(0);
    const none = sb.run(["run", "--rm", "imported"]);
    expect([none.code, none.stdout, none.stderr]).toEqual([125, "", "bunbox: No command specified\n"]);
    expect(sb.run(["run", "--rm", "imported", "echo", "ok"]).stdout).toBe("ok\n");
    expect(sb.run(["run", "--help"]).stdout).toContain("an imported image has none: 'No command specified'");
    expect(sb.leftovers()).toHaveLength(4); // live and ended only (containers/ and run/ each)
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("error lines escape an archive's non-UTF-8 bytes and name container paths, not the host's", () => {
  const work = mkdtempSync(`${tmpdir()}/bunbox-badtar-`);
  try {
    const block = new Uint8Array(2048);
    block.set([0x28, 0xff, 0xfe, 0xfd, 0x68, 0x1b, 0x5b, 0x33, 0x31, 0x6d]); // "(\xff\xfe\xfdh" ESC "[31m", no valid checksum
    require("node:fs").writeFileSync(`${work}/bad.tar`, block);
    const r = sb.run(["run", "--rm", `${work}/bad.tar`, "true"]);
    expect([r.code, r.stderr]).toEqual([125, `bunbox: corrupt archive: bad header checksum at entry "(\\xff\\xfe\\xfdh\\x1b[31m" (offset 0)\n`]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const bogus = sb.run(["run", "--rm", "--tmpfs", "/x:bogus=1", "busybox", "true"]);
  expect([bogus.code, bogus.stderr]).toEqual([125, `bunbox: Invalid tmpfs option ["bogus" "1"]\n`]);
  const size = sb.run(["run", "--rm", "--tmpfs", "/x:size=abc", "busybox", "true"]);
  expect([size.code, size.stderr]).toEqual([125, `bunbox: container setup failed at step "mount": mount tmpfs on /x (size=abc): EINVAL (invalid argument)\n`]);
});

test("--read-only -w /nope: the working directory is made in the container's layer first, as Docker", () => {
  const r = sb.run(["run", "--rm", "--read-only", "-w", "/nope/deeper", "busybox", "sh", "-c", "pwd; touch x || echo still read-only"]);
  expect([r.code, r.stdout]).toEqual([0, "/nope/deeper\nstill read-only\n"]);
});
