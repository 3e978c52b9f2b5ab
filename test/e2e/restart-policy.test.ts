// --restart carried out by the monitor of a detached container (bunbox has no daemon): Docker's
// policies, its counts and back-off, stop and kill as Docker treats them, and its refusals.
import { afterAll, expect, test } from "bun:test";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "fail3", "always", "unless", "okonce", "made"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

const ok = (args: string[]) => sb.ok(args);
const field = (name: string, f: string) => ok(["inspect", "-f", f, name]).trim();

async function until(what: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(100);
  }
}

test("on-failure:3 restarts a failing container three times, then leaves it exited", async () => {
  ok(["run", "-d", "--name", "fail3", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo run; exit 2"]);
  // back-off 100 + 200 + 400 ms between the runs
  await until(() => field("fail3", "{{.RestartCount}}") === "3" && field("fail3", "{{.State.Status}}") === "exited");
  await Bun.sleep(1500);
  expect(field("fail3", "{{.RestartCount}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}")).toBe("3 2 on-failure:3");
  expect(ok(["logs", "fail3"])).toBe("run\nrun\nrun\nrun\n");
  // an exit 0 is not a failure
  ok(["run", "-d", "--name", "okonce", "--restart", "on-failure", "busybox", "true"]);
  await until(() => field("okonce", "{{.State.Status}}") === "exited");
  await Bun.sleep(500);
  expect(field("okonce", "{{.RestartCount}}")).toBe("0");
});

test("always: restarted after any end, and after kill; stop ends it for good; start by hand resets the count", async () => {
  ok(["run", "-d", "--name", "always", "--restart", "always", "busybox", "sh", "-c", "sleep 0.5"]);
  await until(() => Number(field("always", "{{.RestartCount}}")) >= 2);
  // (between two runs it is not running, and kill says so, as Docker's)
  await until(() => sb.run(["kill", "always"]).code === 0);
  const after = Number(field("always", "{{.RestartCount}}"));
  await until(() => Number(field("always", "{{.RestartCount}}")) > after);
  expect(ok(["ps", "-a", "-f", "name=always", "--format", "{{.Status}}"])).toMatch(/^(Up|Restarting \(\d+\))/);
  ok(["stop", "always"]);
  const stopped = field("always", "{{.RestartCount}}");
  await Bun.sleep(1500);
  expect(field("always", "{{.State.Status}} {{.RestartCount}}")).toBe(`exited ${stopped}`);
  ok(["start", "always"]);
  expect(field("always", "{{.RestartCount}}")).toBe("0");
  ok(["stop", "-t", "0", "always"]);
});

test("unless-stopped: not restarted after kill (stopped by hand, as Docker); create --restart works through start", async () => {
  ok(["run", "-d", "--name", "unless", "--restart", "unless-stopped", "busybox", "sleep", "60"]);
  ok(["kill", "unless"]);
  await Bun.sleep(1200);
  expect(field("unless", "{{.State.Status}} {{.RestartCount}}")).toBe("exited 0");
  ok(["create", "--name", "made", "--restart", "on-failure:1", "busybox", "false"]);
  ok(["start", "made"]);
  await until(() => field("made", "{{.RestartCount}}") === "1" && field("made", "{{.State.Status}}") === "exited");
});

test("Docker's refusals", () => {
  const no = (args: string[], stderr: string) => expect(sb.run(["run", ...args, "busybox", "true"])).toMatchObject({ code: 125, stderr: `bunbox: ${stderr}\n` });
  no(["--rm", "-d", "--restart", "always"], "Conflicting options: --restart and --rm");
  no(["--restart", "sometimes"], "invalid restart policy 'sometimes'");
  no(["-d", "--restart", "always:3"], "maximum retry count cannot be used with restart policy 'always'");
  no(["-d", "--restart", "on-failure:x"], "maximum retry count must be an integer");
  no(["-d", "--restart", "on-failure:-1"], "maximum retry count cannot be negative");
  no(["-d", "--restart", "on-failure:1:2"], "invalid restart policy format");
  no(["--restart", "always"], "--restart always needs -d: the monitor of a detached container restarts it (bunbox has no daemon)");
  expect(sb.run(["run", "--rm", "--restart", "no", "busybox", "true"]).code).toBe(0);
});
