// What a container must not inherit from the bunbox process that starts it (issue 14, items 8
// and 9): the session keyring of whoever ran bunbox, and its oom_score_adj. Each case starts
// bunbox from a wrapper that sets the thing up on the host side first, then looks from inside.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox, BIN, type Result } from "./harness.ts";
import { buildProbe } from "../../scripts/build-probe.ts";

const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-inherited-`);
const probeDir = `${work}/probe`;
let probe = "";

beforeAll(async () => {
  mkdirSync(probeDir);
  copyFileSync(await buildProbe(), `${probeDir}/probe`);
  chmodSync(`${probeDir}/probe`, 0o755);
  probe = `${probeDir}/probe`;
});

afterAll(() => {
  for (const name of ["keys-exec", "oom-exec", "oom-exec-100"]) sb.run(["rm", "-f", name]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `argv` (bunbox's arguments) through a host-side wrapper command, in the sandbox's state root. */
function wrapped(wrapper: string[], args: string[]): Result {
  const r = Bun.spawnSync([...wrapper, BIN, ...args], {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1", TZ: "UTC", BUNBOX_ROOT: sb.root },
    stdin: "ignore",
    timeout: 30_000,
  });
  return { code: r.exitCode ?? 128, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe("the session keyring of whoever runs bunbox stays on the host", () => {
  const key = `bunbox-test-${process.pid}`;
  const withKey = () => [probe, "with-session-key", key];
  const look = ["-v", `${probeDir}:/probe:ro`, "-e", `PROBE_KEY=${key}`];

  test("the wrapper's key is there for a host process (the test itself works)", () => {
    const r = Bun.spawnSync([probe, "with-session-key", key, "env", `PROBE_KEY=${key}`, probe, "session-key"]);
    expect(r.stdout.toString()).toBe("session-key: found\n");
  });

  test.each([[[] as string[]], [["-u", "1000"]]])("run %j --security-opt seccomp=unconfined: a fresh session keyring, the key is not found", (user) => {
    const r = wrapped(withKey(), ["run", "--rm", "--security-opt", "seccomp=unconfined", ...user, ...look, "busybox", "/probe/probe", "session-key"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "session-key: ENOKEY\n", ""]);
  });

  test("exec (from a process holding the key) into a seccomp=unconfined container: not found either", () => {
    expect(sb.run(["run", "-d", "--name", "keys-exec", "--security-opt", "seccomp=unconfined", ...look, "busybox", "sleep", "60"]).code).toBe(0);
    const r = wrapped(withKey(), ["exec", "keys-exec", "/probe/probe", "session-key"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "session-key: ENOKEY\n", ""]);
  });
});

describe("oom_score_adj: the container's own (0 unless --oom-score-adj), never bunbox's", () => {
  // bunbox itself at +500, as a CLI started from a shell that raised it would be
  const at500 = ["sh", "-c", 'echo 500 > /proc/self/oom_score_adj && exec "$@"', "sh"];

  test("run: 0 by default, as Docker", () => {
    const r = wrapped(at500, ["run", "--rm", "busybox", "cat", "/proc/self/oom_score_adj"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "0\n", ""]);
  });

  test("run --oom-score-adj 100: 100", () => {
    const r = wrapped(at500, ["run", "--rm", "--oom-score-adj", "100", "busybox", "cat", "/proc/self/oom_score_adj"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "100\n", ""]);
  });

  test("exec: the container's value, not the exec caller's", () => {
    expect(sb.run(["run", "-d", "--name", "oom-exec", "busybox", "sleep", "60"]).code).toBe(0);
    expect(sb.run(["run", "-d", "--name", "oom-exec-100", "--oom-score-adj", "100", "busybox", "sleep", "60"]).code).toBe(0);
    const plain = wrapped(at500, ["exec", "oom-exec", "cat", "/proc/self/oom_score_adj"]);
    const hundred = wrapped(at500, ["exec", "oom-exec-100", "cat", "/proc/self/oom_score_adj"]);
    expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, "0\n", ""]);
    expect([hundred.code, hundred.stdout, hundred.stderr]).toEqual([0, "100\n", ""]);
  });
});
