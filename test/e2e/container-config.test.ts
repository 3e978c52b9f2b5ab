// run/create settings that describe the container: --label/--label-file (inspect, ps -f label=,
// ps --format), --stop-signal/--stop-timeout (what stop and restart do), --shm-size (/dev/shm).
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "lab1", "lab2", "lab3", "sig", "slow", "nostop", "shm"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

const ok = (args: string[]) => sb.ok(args);

test("--label and --label-file: inspect's Config.Labels, ps -f label=, {{.Labels}} and {{.Label}}", () => {
  const file = `${sb.root}/labels`;
  writeFileSync(file, "# a comment\n\n  tier=db\nowner=file\nbare\n");
  ok(["create", "--name", "lab1", "--label-file", file, "-l", "owner=flag", "--label", "com.example.some-key=x=y", "busybox", "true"]);
  ok(["create", "--name", "lab2", "-l", "tier=web", "busybox", "true"]);
  ok(["create", "--name", "lab3", "busybox", "true"]);
  // the flag wins over the file; a bare key has an empty value; the value keeps its "="
  expect(JSON.parse(ok(["inspect", "-f", "{{json .Config.Labels}}", "lab1"]))).toEqual({ tier: "db", owner: "flag", bare: "", "com.example.some-key": "x=y" });
  expect(ok(["inspect", "-f", "{{json .Config.Labels}}", "lab3"])).toBe("{}\n");
  const names = (...filters: string[]) => ok(["ps", "-a", "--format", "{{.Names}}", ...filters.flatMap((f) => ["-f", f])]).split("\n").filter(Boolean).sort();
  expect(names("label=tier")).toEqual(["lab1", "lab2"]);
  expect(names("label=tier=web")).toEqual(["lab2"]);
  expect(names("label=bare=")).toEqual(["lab1"]);
  // every label filter must match (Docker), unlike two name= filters
  expect(names("label=tier", "label=owner")).toEqual(["lab1"]);
  expect(names("label=tier=db", "label=tier=web")).toEqual([]);
  expect(names("label=nope")).toEqual([]);
  expect(ok(["ps", "-a", "-f", "name=lab1", "--format", "{{.Labels}}"])).toBe("bare=,com.example.some-key=x=y,owner=flag,tier=db\n");
  expect(ok(["ps", "-a", "-f", "name=lab", "--format", '{{.Names}} {{.Label "tier"}}'])).toBe("lab3 \nlab2 web\nlab1 db\n");
  expect(ok(["ps", "-a", "-f", "name=lab2", "--format", 'table {{.Names}}\t{{.Label "com.example.some-key"}}'])).toMatch(/^NAMES +SOME KEY\nlab2 *\n$/);
  // a bad label file: Docker's wording, exit 125, nothing created
  writeFileSync(file, "bad key=1\n");
  const bad = sb.run(["create", "--label-file", file, "busybox", "true"]);
  expect(bad.code).toBe(125);
  expect(bad.stderr).toContain("variable 'bad key' contains whitespaces");
  expect(sb.run(["create", "--label-file", `${sb.root}/nope`, "busybox", "true"]).code).toBe(125);
  ok(["rm", "lab1", "lab2", "lab3"]);
});

test("-e and --env (and -l and --label) given together all count, in order", () => {
  expect(ok(["run", "--rm", "-e", "A=1", "--env", "B=2", "-eC=3", "busybox", "sh", "-c", "echo $A$B$C"])).toBe("123\n");
});

test("--stop-signal and --stop-timeout: what stop sends and how long it waits; inspect shows them", () => {
  // The shell traps USR1 only: stopped with it, it says so and exits 0; SIGTERM would not be caught
  ok(["run", "-d", "--name", "sig", "--stop-signal", "SIGUSR1", "busybox", "sh", "-c", "trap 'echo got usr1; exit 0' USR1; while :; do sleep 0.1; done"]);
  expect(ok(["inspect", "-f", "{{.Config.StopSignal}}", "sig"])).toBe("SIGUSR1\n");
  const t0 = Date.now();
  expect(ok(["stop", "sig"])).toBe("sig\n");
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(ok(["inspect", "-f", "{{.State.ExitCode}}", "sig"])).toBe("0\n");
  expect(ok(["logs", "sig"])).toBe("got usr1\n");
  // -s given to stop still wins
  ok(["start", "sig"]);
  ok(["stop", "-s", "KILL", "sig"]);
  expect(ok(["inspect", "-f", "{{.State.ExitCode}}", "sig"])).toBe("137\n");
  // PID 1 ignores SIGTERM (no handler): stop waits the container's --stop-timeout, then SIGKILL
  ok(["run", "-d", "--name", "slow", "--stop-timeout", "1", "busybox", "sleep", "60"]);
  expect(ok(["inspect", "-f", "{{.Config.StopTimeout}}", "slow"])).toBe("1\n");
  const t1 = Date.now();
  ok(["stop", "slow"]);
  const took = Date.now() - t1;
  expect(took).toBeGreaterThanOrEqual(900);
  expect(took).toBeLessThan(8000);
  expect(ok(["inspect", "-f", "{{.State.ExitCode}}", "slow"])).toBe("137\n");
  // unset: not in inspect's Config at all (Docker's omitempty)
  ok(["create", "--name", "nostop", "busybox", "true"]);
  expect(ok(["inspect", "-f", "{{json .Config}}", "nostop"])).not.toContain("Stop");
  const badSig = sb.run(["run", "--rm", "--stop-signal", "SIGNOPE", "busybox", "true"]);
  expect(badSig).toMatchObject({ code: 125, stderr: "bunbox: Invalid signal: SIGNOPE\n" });
  const badTime = sb.run(["run", "--rm", "--stop-timeout", "abc", "busybox", "true"]);
  expect(badTime.code).toBe(125);
  expect(badTime.stderr).toContain('invalid argument "abc" for "--stop-timeout" flag');
  ok(["rm", "-f", "sig", "slow", "nostop"]);
});

test("--shm-size: the size of /dev/shm (default 64m), HostConfig.ShmSize", () => {
  const df = (args: string[]) => ok(["run", "--rm", ...args, "busybox", "sh", "-c", "grep ' /dev/shm ' /proc/mounts"]);
  expect(df([])).toContain("size=65536k");
  expect(df(["--shm-size", "128m"])).toContain("size=131072k");
  expect(df(["--shm-size=1g"])).toContain("size=1048576k");
  expect(df(["--shm-size", "0"])).toContain("size=65536k");
  ok(["create", "--name", "shm", "--shm-size", "2m", "busybox", "true"]);
  expect(ok(["inspect", "-f", "{{.HostConfig.ShmSize}}", "shm"])).toBe("2097152\n");
  ok(["rm", "shm"]);
  const bad = sb.run(["run", "--rm", "--shm-size", "lots", "busybox", "true"]);
  expect(bad).toMatchObject({ code: 125, stderr: `bunbox: invalid argument "lots" for "--shm-size" flag: invalid size: 'lots'\n` });
});
