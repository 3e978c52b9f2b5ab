// The everyday verbs on real containers: run -d, ps, logs, exec, inspect, stop, kill, wait,
// start, pause, rename, rm, prune, gc; concurrency; a killed bunbox cleaned up by gc.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { Sandbox, BIN, SLOW } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["container", "prune", "-f"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(sb.root);
  expect(cgroupsOf(sb.root)).toEqual([]);
  sb.cleanup();
});

const run = (args: string[]) => sb.ok(args);

/** What inspect's AppArmorProfile must say here: Docker's "" where AppArmor is off. */
const hostAppArmor = (() => {
  try { return readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y" && existsSync("/sys/kernel/security/apparmor") ? "bunbox-default" : ""; } catch { return ""; }
})();

/** Normalises what changes between runs in ps/inspect output. */
const norm = (s: string) => sb.normalise(s)
  .replaceAll(`"AppArmorProfile": "${hostAppArmor}"`, '"AppArmorProfile": "<HOST DEFAULT>"')
  .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/g, "<TIME>")
  .replace(/"Pid": \d+/g, '"Pid": <PID>')
  // (minutes too: in a loaded TCG VM the container is minutes old by the time ps -a runs)
  .replace(/(Less than a second|\d+ seconds?|About a minute|\d+ minutes)( ago)?/g, "<DURATION>$2");
/** Tables: column widths depend on the durations, so runs of spaces become one. */
const normTable = (s: string) => norm(s).replace(/ {2,}/g, "  ");

/** bunbox's cgroup dirs (below bunbox/) that belong to containers of this sandbox. */
function cgroupsOf(root: string): string[] {
  const ids = new Set<string>();
  for (const d of ["containers", "run"]) if (existsSync(`${root}/${d}`)) for (const n of readdirSync(`${root}/${d}`)) ids.add(n);
  const out: string[] = [];
  for (const h of readdirSync("/sys/fs/cgroup")) {
    const walk = (dir: string, depth: number) => {
      if (depth > 4) return;
      for (const e of (() => { try { return readdirSync(dir, { withFileTypes: true }); } catch { return []; } })()) {
        if (!e.isDirectory()) continue;
        if (ids.has(e.name)) out.push(`${dir}/${e.name}`);
        else walk(`${dir}/${e.name}`, depth + 1);
      }
    };
    walk(`/sys/fs/cgroup/${h}`, 0);
  }
  return out;
}

describe("a detached container", () => {
  let id = "";
  test("run -d prints the full id and returns while it runs", () => {
    id = run(["run", "-d", "--name", "web", "-h", "web", "busybox", "sh", "-c", "echo started; sleep 0.2; echo oops >&2; trap 'echo stopping; exit 0' TERM; while :; do sleep 0.1; done"]).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
  });

  test("ps shows it up; -q gives short ids; --format json", async () => {
    await Bun.sleep(500);
    expect(normTable(run(["ps"]))).toBe(golden("lifecycle/ps-running.txt", normTable(run(["ps"]))));
    expect(run(["ps", "-q"])).toBe(id.slice(0, 12) + "\n");
    const j = JSON.parse(run(["ps", "--format", "json"]).trim());
    expect([j.ID, j.Names, j.State, j.Image]).toEqual([id.slice(0, 12), "web", "running", "busybox"]);
  });

  test("logs: stdout and stderr apart, --tail, -t", () => {
    const r = sb.run(["logs", "web"]);
    expect([r.stdout, r.stderr]).toEqual(["started\n", "oops\n"]);
    const tail = sb.run(["logs", "--tail", "1", "web"]); // the last line of both streams
    expect([tail.stdout, tail.stderr]).toEqual(["", "oops\n"]);
    expect(sb.run(["logs", "--tail", "-1", "web"]).stdout).toBe("started\n"); // Docker's "all"
    expect(sb.run(["logs", "--since", "1h", "web"]).stdout).toBe("started\n");
    expect(sb.run(["logs", "--until", "1h", "web"]).stdout).toBe("");
    expect(sb.run(["logs", "--since", "2999-01-01T00:00:00Z", "web"]).stdout).toBe("");
    expect(run(["logs", "-t", "web"])).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z started\n$/);
  });

  test("exec joins its namespaces, cgroup and security settings", () => {
    // the pid namespace joined: PID 1 is the container's sh (a count of /proc/[0-9]* raced with the
    // loop's sleep coming and going); the cgroup joined: every line of /proc/self/cgroup at the
    // container's root (one per v1 hierarchy, one on v2: counting those outside holds on both)
    const out = run(["exec", id.slice(0, 8), "sh", "-c", "hostname; echo \"pid 1: $(tr '\\0' ' ' < /proc/1/cmdline | cut -d' ' -f1-2)\"; grep -E '^(CapEff|Seccomp):' /proc/self/status; echo \"cgroups outside the container's: $(grep -vc ':/$' /proc/self/cgroup)\""]);
    expect(out).toBe(golden("lifecycle/exec.txt", out));
    expect(run(["exec", "-u", "nobody", "-w", "/tmp", "-e", "X=1", "web", "sh", "-c", "id -u; pwd; echo $X"])).toBe("65534\n/tmp\n1\n");
    const r = sb.run(["exec", "web", "sh", "-c", "exit 4"]);
    expect(r.code).toBe(4);
    // Nothing ignored or blocked: the exec'd program does not inherit Bun's ignored SIGPIPE
    expect(run(["exec", "web", "sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status; timeout 5 sh -c 'yes | head -n 1'; echo status $?"])).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\ny\nstatus 0\n");
  });

  test("top lists its processes; pause freezes them, unpause thaws", () => {
    expect(run(["top", "web"])).toMatch(/^UID +PID +PPID +C +STIME +TTY +TIME +CMD\nroot +\d+ +\d+ .*sh -c echo started/);
    run(["pause", "web"]);
    expect(run(["ps", "--format", "json"])).toContain('"State":"paused"');
    run(["unpause", "web"]);
    expect(run(["ps", "--format", "json"])).toContain('"State":"running"');
  });

  test("inspect (golden), by name and by unique id prefix", () => {
    const out = norm(run(["inspect", "web"]));
    expect(out).toBe(golden("lifecycle/inspect-running.txt", out));
    expect(JSON.parse(run(["inspect", id.slice(0, 5)]))[0].Id).toBe(id);
  });

  test("the name is taken: a second --name web is refused, nothing created", () => {
    const r = sb.run(["run", "--name", "web", "busybox", "true"]);
    expect([r.code, norm(r.stderr)]).toEqual([125, `bunbox: the container name "/web" is already in use by container "<ID>". You have to remove (or rename) that container to be able to reuse that name.\n`]);
  });

  test("rm of a running container is refused; stop sends TERM and records the exit", () => {
    const r = sb.run(["rm", "web"]);
    expect([r.code, r.stderr]).toEqual([1, "bunbox: cannot remove container web: container is running: stop the container before removing or force remove (rm -f)\n"]);
    expect(run(["stop", "web"])).toBe("web\n");
    expect(run(["wait", "web"])).toBe("0\n");
    expect(run(["logs", "web"])).toBe("started\nstopping\n");
    expect(normTable(run(["ps", "-a"]))).toBe(golden("lifecycle/ps-exited.txt", normTable(run(["ps", "-a"]))));
  });

  test("start runs it again with its filesystem; rename; kill; rm", async () => {
    expect(sb.run(["exec", "web", "true"]).code).toBe(1); // not running
    run(["start", "web"]);
    run(["exec", "web", "sh", "-c", "echo kept > /marker"]);
    run(["stop", "-t", "1", "web"]);
    run(["start", "web"]);
    expect(run(["exec", "web", "cat", "/marker"])).toBe("kept\n");
    // The daemon's refusals exit 1 in Docker's CLI
    expect(sb.run(["rename", "web", "bad name"])).toMatchObject({ code: 1, stderr: expect.stringContaining('invalid container name "bad name"') });
    run(["rename", "web", "web2"]);
    expect(sb.run(["kill", "-s", "BOGUS", "web2"])).toMatchObject({ code: 1, stderr: "bunbox: Invalid signal: BOGUS\n" });
    expect(run(["kill", "-s", "KILL", "web2"])).toBe("web2\n");
    expect(run(["wait", "web2"])).toBe("137\n");
    expect(run(["rm", "web2"])).toBe("web2\n");
    expect(sb.run(["inspect", "web2"]).code).toBe(1);
  });
});

test("stop of a shell that ignores SIGTERM: SIGKILL after -t seconds", () => {
  const id = run(["run", "-d", "busybox", "sleep", "60"]).trim();
  const t0 = Date.now();
  run(["stop", "-t", "1", id]);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  expect(run(["wait", id])).toBe("137\n");
  run(["rm", id]);
});

test("run -d --rm removes itself when it ends; a failing start leaves nothing", async () => {
  const id = run(["run", "-d", "--rm", "busybox", "true"]).trim();
  for (let i = 0; i < 50 * SLOW && sb.run(["inspect", id]).code === 0; i++) await Bun.sleep(50);
  expect(sb.run(["inspect", id]).code).toBe(1);
  const r = sb.run(["run", "-d", "busybox", "nosuchcmd"]);
  expect([r.code, r.stdout, r.stderr]).toEqual([127, "", `bunbox: exec: "nosuchcmd": executable file not found in $PATH\n`]);
  expect(run(["ps", "-aq"])).toBe("");
});

test("an --rm container whose monitor was killed is not started again (its volatile root cannot be remounted)", async () => {
  const id = run(["run", "-d", "--rm", "--name", "orphan", "busybox", "sleep", String(30 * SLOW)]).trim();
  const { watcherPid } = JSON.parse(readFileSync(`${sb.root}/run/${id}/state.json`, "utf8"));
  process.kill(watcherPid, 9);
  for (let i = 0; i < 50; i++) { try { process.kill(watcherPid, 0); await Bun.sleep(20); } catch { break; } }
  run(["stop", "-t", "0", "orphan"]);
  const r = sb.run(["start", "orphan"]);
  expect([r.code, r.stdout, r.stderr]).toEqual([1, "", "bunbox: cannot start container orphan: it was run with --rm, so it is not started again once it has ended: remove it with 'bunbox rm orphan'\n"]);
  run(["rm", "orphan"]);
  expect(run(["ps", "-aq"])).toBe("");
  expect(sb.leftovers()).toEqual([]);
}, 30_000 * SLOW);

test("restart of an --rm container runs it again (as Docker); its next end removes it", async () => {
  const id = run(["run", "-d", "--rm", "--name", "again", "busybox", "sh", "-c", `echo started; sleep ${30 * SLOW}`]).trim();
  const firstPid = JSON.parse(readFileSync(`${sb.root}/run/${id}/state.json`, "utf8")).pid;
  run(["restart", "-t", "0", "again"]);
  const rec = JSON.parse(readFileSync(`${sb.root}/run/${id}/state.json`, "utf8"));
  expect([rec.status, rec.autoRemove, rec.restarting, rec.pid === firstPid]).toEqual(["running", true, undefined, false]);
  expect(normTable(run(["ps"]))).toMatch(/  Up <DURATION>  again\n$/);
  run(["stop", "-t", "0", "again"]);
  for (let i = 0; i < 50 * SLOW && sb.run(["inspect", id]).code === 0; i++) await Bun.sleep(50);
  expect(sb.run(["inspect", id]).code).toBe(1);
  expect(sb.leftovers()).toEqual([]);
}, 30_000 * SLOW);

test("20 concurrent run -d / exec / stop / rm loops leave nothing behind, ids and names never collide", async () => {
  const loop = async (i: number) => {
    const sh = `set -e; id=$(${BIN} run -d busybox sleep ${30 * SLOW}); ${BIN} exec $id true; ${BIN} stop -t 0 $id >/dev/null; ${BIN} rm $id >/dev/null; echo $id`;
    const p = Bun.spawn(["sh", "-c", sh], { env: { BUNBOX_ROOT: sb.root, PATH: "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
    return { i, out: out.trim(), err, code };
  };
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => loop(i)));
  expect(results.filter((r) => r.code !== 0)).toEqual([]);
  expect(new Set(results.map((r) => r.out)).size).toBe(20);
  expect(run(["ps", "-aq"])).toBe("");
  expect(sb.leftovers()).toEqual([]);
  expect(cgroupsOf(sb.root)).toEqual([]);
}, 120_000 * SLOW);

test("kill -9 of bunbox in the middle of a run, then gc: nothing left", async () => {
  const p = Bun.spawn([BIN, "run", "busybox", "sh", "-c", "echo ready; sleep 60"], { env: { BUNBOX_ROOT: sb.root }, stdout: "pipe" });
  await p.stdout.getReader().read();
  p.kill(9);
  await p.exited;
  // The container died with it (PR_SET_PDEATHSIG); gc records its end
  run(["gc"]);
  expect(run(["ps", "-aq"]).trim()).toMatch(/^[0-9a-f]{12}$/); // the record stays, as with docker (not --rm)
  run(["container", "prune", "-f"]);
  expect(sb.leftovers()).toEqual([]);
  expect(cgroupsOf(sb.root)).toEqual([]);
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(sb.root);
}, 30_000 * SLOW);

test("wait gets the status of --rm containers, which go as they end; several are awaited together", async () => {
  const one = run(["run", "-d", "--rm", "busybox", "sh", "-c", `sleep ${0.5 * SLOW}; exit 3`]).trim();
  expect(run(["wait", one])).toBe("3\n");
  // at once after run -d, while it may still be starting ("created"): waited for, not -1
  for (let i = 0; i < 3; i++) {
    const quick = run(["run", "-d", "busybox", "sh", "-c", "exit 7"]).trim();
    expect(run(["wait", quick])).toBe("7\n");
    run(["rm", quick]);
  }
  // The second ends (and is removed) while the first is still awaited
  const slow = run(["run", "-d", "--rm", "busybox", "sh", "-c", `sleep ${1.5 * SLOW}; exit 5`]).trim();
  const fast = run(["run", "-d", "--rm", "busybox", "sh", "-c", `sleep ${0.3 * SLOW}; exit 6`]).trim();
  const r = sb.run(["wait", slow, fast, "no-such-box"]);
  expect([r.code, r.stdout, r.stderr]).toEqual([1, "5\n6\n", "bunbox: No such container: no-such-box\n"]);
  const left = () => sb.leftovers().filter((p) => [one, slow, fast].some((id) => p.includes(id)));
  for (let i = 0; i < 50 * SLOW && left().length; i++) await Bun.sleep(50);
  expect(left()).toEqual([]);
}, 30_000 * SLOW);

describe("Docker's answers at the edges", () => {
  test("a command given no container says what it needs, exit 1", () => {
    for (const verb of ["stop", "wait", "rm", "start", "kill", "inspect", "pause"]) {
      const r = sb.run([verb]);
      expect([verb, r.code, r.stdout, r.stderr]).toEqual([verb, 1, "", `bunbox: "bunbox ${verb}" requires at least 1 argument (see 'bunbox ${verb} --help')\n`]);
    }
    const logs = sb.run(["logs", "a", "b"]);
    expect([logs.code, logs.stderr]).toEqual([1, `bunbox: "bunbox logs" requires exactly 1 argument (see 'bunbox logs --help')\n`]);
  });

  test("rm -f of a container that is not there says so and succeeds; -v is accepted", () => {
    const id = run(["run", "-d", "busybox", "sleep", "30"]).trim();
    const r = sb.run(["rm", "-fv", "no-such-box", id]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${id}\n`, "bunbox: No such container: no-such-box\n"]);
    expect(sb.run(["rm", "no-such-box"]).code).toBe(1);
  });

  test("a paused container: start refuses, kill (SIGKILL) ends it", async () => {
    const id = run(["run", "-d", "busybox", "sleep", String(30 * SLOW)]).trim();
    run(["pause", id]);
    const start = sb.run(["start", id]);
    expect([start.code, start.stderr]).toEqual([1, "bunbox: cannot start a paused container, try unpause instead\n"]);
    run(["kill", id]);
    expect(run(["wait", id])).toBe("137\n");
    run(["rm", id]);
  }, 30_000 * SLOW);

  test("inspect -f and ps --format take Go templates, as scripts use them", () => {
    expect(sb.run(["run", "--name", "fmt-exit", "busybox", "sh", "-c", "exit 7"]).code).toBe(7);
    expect(run(["inspect", "-f", "{{.State.ExitCode}} {{.State.Running}} {{.Name}} {{index .Config.Cmd 0}}", "fmt-exit"])).toBe("7 false /fmt-exit sh\n");
    expect(run(["inspect", "--format", "{{json .State.Status}}", "fmt-exit"])).toBe('"exited"\n');
    const bad = sb.run(["inspect", "-f", "{{.Name", "fmt-exit"]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, "", "bunbox: template: unclosed action\n"]);
    expect(run(["ps", "-a", "--format", "{{.Names}}: {{.Status}}"])).toMatch(/^fmt-exit: Exited \(7\) .* ago\n$/m);
    // Go's time.Time.String(), as docker ps prints .CreatedAt
    expect(run(["ps", "-a", "--filter", "name=fmt-exit", "--format", "{{.CreatedAt}}"])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+\n$/);
    const t = run(["ps", "-a", "--format", "table {{.Names}}\\t{{.State}}"]).split("\n");
    // columns aligned three spaces past the widest cell, as docker's tabwriter does
    expect(t[0]).toMatch(/^NAMES {6,}STATE$/);
    expect(t.find((l) => l.startsWith("fmt-exit"))).toMatch(new RegExp(`^fmt-exit {${t[0]!.indexOf("STATE") - 8}}exited$`));
    run(["rm", "fmt-exit"]);
  });

  test("inspect shows the limits, capabilities and --init under Docker's HostConfig names, for -f templates", () => {
    expect(sb.run(["create", "--name", "fmt-limits", "-m", "64m", "--cpus", "0.5", "--pids-limit", "50", "-c", "512", "--cap-add", "sys_admin", "--cap-drop", "NET_RAW", "--init", "busybox", "true"]).code).toBe(0);
    const fields = "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}} {{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.Init}}";
    expect(run(["inspect", "-f", fields, "fmt-limits"])).toBe("67108864 134217728 500000000 50 512 [CAP_SYS_ADMIN] [CAP_NET_RAW] true\n");
    run(["rm", "fmt-limits"]);
    // The flags as given, ALL kept (what a check for a dropped ALL greps), not the resulting set
    expect(sb.run(["create", "--name", "fmt-caps", "--cap-drop", "all", "--cap-add", "NET_BIND_SERVICE", "--pids-limit", "-1", "busybox", "true"]).code).toBe(0);
    expect(run(["inspect", "-f", "{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.PidsLimit}}", "fmt-caps"])).toBe("[CAP_NET_BIND_SERVICE] [ALL] <nil>\n");
    run(["rm", "fmt-caps"]);
    // None set: Docker's zero values (its nil pointers print <nil>)
    expect(sb.run(["create", "--name", "fmt-plain", "busybox", "true"]).code).toBe(0);
    expect(run(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.Init}}", "fmt-plain"])).toBe("0 0 <nil> <nil>\n");
    expect(JSON.parse(run(["inspect", "fmt-plain"]))[0].HostConfig).toMatchObject({ CapAdd: null, CapDrop: null, Memory: 0, PidsLimit: null, Init: null });
    // The argv split as Docker keeps it, and -u as given ("" without it)
    expect(run(["inspect", "-f", "{{json .Config.Entrypoint}} {{json .Config.Cmd}} [{{.Config.User}}]", "fmt-plain"])).toBe('null ["true"] []\n');
    run(["rm", "fmt-plain"]);
    expect(sb.run(["create", "--name", "fmt-entry", "--entrypoint", "sh", "-u", "nobody", "busybox", "-c", "sleep 100"]).code).toBe(0);
    expect(run(["inspect", "-f", "{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.User}} {{.Path}}", "fmt-entry"])).toBe('["sh"] ["-c","sleep 100"] nobody sh\n');
    run(["rm", "fmt-entry"]);
  });

  test("exec -w needs a directory that exists, given absolute; exec -u a user the container has: else 126", () => {
    const id = run(["run", "-d", "busybox", "sleep", String(30 * SLOW)]).trim();
    const missing = sb.run(["exec", "-w", "/nonexist", id, "pwd"]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([126, "", 'bunbox: exec failed at step "chdir": chdir /nonexist: ENOENT (no such file or directory)\n']);
    expect(sb.run(["exec", id, "ls", "-d", "/nonexist"]).code).toBe(1); // nor was it created
    const relative = sb.run(["exec", "-w", "tmp", id, "pwd"]);
    expect([relative.code, relative.stderr]).toEqual([126, 'bunbox: exec: the working directory "tmp" must be an absolute path\n']);
    const user = sb.run(["exec", "-u", "nosuchuser", id, "true"]);
    expect([user.code, user.stderr]).toEqual([126, "bunbox: unable to find user nosuchuser: no matching entries in passwd file\n"]);
    const dt = sb.run(["exec", "-dt", id, "true"]);
    expect([dt.code, dt.stderr]).toEqual([125, "bunbox: exec -d with -t is not supported: nothing would hold the terminal once bunbox returns (drop -t)\n"]);
    const negated = sb.run(["ps", "--no-colour"]);
    expect([negated.code, negated.stderr]).toEqual([125, "bunbox: unknown flag: --no-colour (see 'bunbox ps --help')\n"]);
    run(["rm", "-f", id]);
  });

  test("start -a shows the new run's output and ends with its status; signals to bunbox reach it", async () => {
    expect(sb.run(["run", "--name", "again", "busybox", "sh", "-c", "echo out; echo err >&2; exit 4"]).code).toBe(4);
    const r = sb.run(["start", "-a", "again"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([4, "out\n", "err\n"]);
    // a running --rm container: its status is read before it goes
    const rm = run(["run", "-d", "--rm", "busybox", "sh", "-c", `sleep ${0.5 * SLOW}; exit 3`]).trim();
    expect(sb.run(["start", "-a", rm]).code).toBe(3);
    const two = sb.run(["start", "-a", "again", "again"]);
    expect([two.code, two.stderr]).toEqual([1, "bunbox: you cannot start and attach multiple containers at once\n"]);
    run(["rm", "again"]);
    const id = run(["run", "-d", "--init", "busybox", "sleep", "60"]).trim();
    run(["stop", "-t", "0", id]);
    const p = Bun.spawn([BIN, "start", "-a", id], { env: { BUNBOX_ROOT: sb.root }, stdout: "pipe", stderr: "pipe" });
    for (let i = 0; i < 100 * SLOW && !run(["ps", "-q"]).includes(id.slice(0, 12)); i++) await Bun.sleep(50);
    await Bun.sleep(200 * SLOW); // (a signal before bunbox's forwarder is in place kills bunbox alone)
    p.kill("SIGTERM");
    expect(await p.exited).toBe(143);
    run(["rm", id]);
  }, 30_000 * SLOW);

  test("ps --filter, -n, -l, --no-trunc", () => {
    expect(sb.run(["run", "--name", "flt-a", "busybox", "sh", "-c", "exit 3"]).code).toBe(3);
    const b = run(["run", "-d", "--name", "flt-b", "busybox", "sleep", String(30 * SLOW)]).trim();
    run(["run", "--name", "other-c", "busybox", "true"]);
    const names = (...args: string[]) => run(["ps", ...args, "--format", "{{.Names}}"]).trim().split("\n").filter(Boolean);
    expect(names("-a", "--filter", "name=^flt-")).toEqual(["flt-b", "flt-a"]);
    expect(names("-a", "-f", "name=flt", "-f", "status=exited")).toEqual(["flt-a"]);
    expect(names("-a", "-f", "exited=3")).toEqual(["flt-a"]);
    expect(names("-a", "-f", "status=running", "-f", "status=exited", "-f", "name=flt")).toEqual(["flt-b", "flt-a"]);
    expect(names("-l")).toEqual(["other-c"]);
    expect(names("-n", "2")).toEqual(["other-c", "flt-b"]);
    expect(run(["ps", "-q", "--no-trunc", "-f", `id=${b.slice(0, 6)}`])).toBe(`${b}\n`);
    // Docker's own spellings: names with their "/", images with ":latest"; -n 0 is no limit
    expect(names("-a", "-f", "name=^/flt-b$", "-f", "ancestor=busybox:latest")).toEqual(["flt-b"]);
    expect(names("-n", "0")).toEqual(names()); // no limit, and not -a either (Docker: only n > 0 implies -a)
    const bad = sb.run(["ps", "-f", "colour=red"]);
    expect([bad.code, bad.stderr]).toEqual([1, "bunbox: invalid filter 'colour'\n"]);
    run(["rm", "-f", "--", "flt-a", "flt-b", "other-c"]);
  });

  test("create makes a container that waits in Created (gc keeps it) until start; create --rm goes after its run", async () => {
    const id = run(["create", "--name", "made", "-e", "X=1", "busybox", "sh", "-c", "echo hello $X; exit 5"]).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(run(["ps", "-a", "-f", "name=made", "--format", "{{.Status}}"])).toBe("Created\n");
    run(["gc"]);
    const r = sb.run(["start", "-a", "made"]);
    expect([r.code, r.stdout]).toEqual([5, "hello 1\n"]);
    run(["rm", "made"]);
    const once = run(["create", "--rm", "busybox", "true"]).trim();
    run(["start", once]);
    for (let i = 0; i < 50 * SLOW && sb.run(["inspect", once]).code === 0; i++) await Bun.sleep(50);
    expect(sb.run(["inspect", once]).code).toBe(1);
  }, 30_000 * SLOW);

  test("create is runc's create: the container is set up and its init waits before the program; start lets it run; rm ends the waiting init", async () => {
    const out = `${sb.root}/early-out`;
    const id = run(["create", "--name", "early", "-v", `${out}:/out`, "busybox", "sh", "-c", "echo ran > /out/ran"]).trim();
    const init = (JSON.parse(readFileSync(`${sb.root}/run/${id}/state.json`, "utf8")) as { pid: number }).pid;
    // set up (its init lives, in a pid namespace of its own), but the program has not run
    expect(readFileSync(`/proc/${init}/status`, "utf8")).toMatch(/^NSpid:\t\d+\t1$/m);
    expect(existsSync(`${out}/ran`)).toBe(false);
    expect(run(["ps", "-a", "-f", "name=early", "--format", "{{.Status}}"])).toBe("Created\n");
    expect(run(["inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "early"])).toBe("created 0\n");
    run(["start", "early"]);
    expect(run(["wait", "early"])).toBe("0\n");
    expect(readFileSync(`${out}/ran`, "utf8")).toBe("ran\n");
    run(["rm", "-f", "early"]);
    // a program that is not there fails start, as Docker's does, not create
    const missing = run(["create", "--name", "missing", "busybox", "nosuchcmd"]).trim();
    expect(missing).toMatch(/^[0-9a-f]{64}$/);
    const started = sb.run(["start", "missing"]);
    expect([started.code, started.stderr]).toEqual([127, `bunbox: exec: "nosuchcmd": executable file not found in $PATH\n`]);
    // and the container stays, with its status, as Docker keeps one whose start failed; so does a
    // stopped one whose start fails again (only run's own container goes: nothing left of a failed run)
    expect(run(["ps", "-a", "-f", "name=missing", "--format", "{{.Status}}"])).toMatch(/^Exited \(127\) /);
    expect(sb.run(["start", "missing"]).code).toBe(127);
    expect(run(["inspect", "-f", "{{.State.ExitCode}}", "missing"])).toBe("127\n");
    run(["rm", "missing"]);
    // rm of a created container (no -f needed, as Docker) ends its waiting init
    const waiting = run(["create", "--name", "waiting", "busybox", "true"]).trim();
    const pid = (JSON.parse(readFileSync(`${sb.root}/run/${waiting}/state.json`, "utf8")) as { pid: number }).pid;
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    run(["rm", "waiting"]);
    expect(existsSync(`/proc/${pid}/status`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"))).toBe(false);
  }, 30_000 * SLOW);

  test("container prune asks first, as Docker does: only y removes", () => {
    run(["run", "--name", "to-prune", "busybox", "true"]);
    const no = sb.run(["container", "prune"], { stdin: "n\n" });
    expect([no.code, no.stdout]).toEqual([0, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "]);
    expect(sb.run(["inspect", "to-prune"]).code).toBe(0);
    const yes = sb.run(["container", "prune"], { stdin: "y\n" });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain("Deleted Containers:\n");
    expect(sb.run(["inspect", "to-prune"]).code).toBe(1);
  });
});

test("rm and gc remove whatever a container wrote: names that are not UTF-8, trees deeper than PATH_MAX", () => {
  // \376 is no UTF-8: a name decoded and encoded again would no longer exist
  expect(sb.run(["run", "--name", "odd-names", "busybox", "sh", "-c", `mkdir "/$(printf 'd\\376')"; touch "/$(printf 'd\\376')/f"`]).code).toBe(0);
  expect(run(["rm", "odd-names"])).toBe("odd-names\n");
  // What a reboot leaves: a bundle whose record (on tmpfs) is gone
  const orphan = `${sb.root}/containers/${"ab".repeat(32)}`;
  // (python3: a shell's cd stops at PATH_MAX, a chdir by relative name does not)
  const make = Bun.spawnSync(["python3", "-c", `import os
os.makedirs("${orphan}/upper/tmp"); os.chdir("${orphan}/upper/tmp"); open(b"a\\xff", "w").close()
for i in range(1500): os.mkdir("d123456789"); os.chdir("d123456789")`]);
  expect(make.exitCode).toBe(0);
  const gc = sb.run(["gc"]);
  expect([gc.code, gc.stdout]).toEqual([0, expect.stringContaining(orphan)]);
  expect(existsSync(orphan)).toBe(false);
});

test("--init: PID 1 passes SIGTERM on, so stop ends a plain sleep at once", () => {
  const id = run(["run", "-d", "--init", "busybox", "sleep", "60"]).trim();
  const t0 = Date.now();
  run(["stop", "-t", "5", id]);
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(run(["wait", id])).toBe("143\n");
  run(["rm", id]);
});

test("-t without a terminal on stdin: the program still gets a pty (as docker run -t in CI); -it is one clear error", () => {
  const t = sb.run(["run", "--rm", "-t", "busybox", "sh", "-c", "tty; exit 3"]);
  expect([t.code, t.stdout, t.stderr]).toEqual([3, "/dev/pts/0\r\n", ""]);
  const it = sb.run(["run", "--rm", "-it", "busybox", "true"]);
  expect([it.code, it.stderr]).toEqual([1, "bunbox: the input device is not a TTY: -it needs a terminal on stdin (drop -i or -t, or run it from a terminal)\n"]);
  const id = run(["run", "-d", "busybox", "sleep", String(30 * SLOW)]).trim();
  const e = sb.run(["exec", "-t", id, "tty"]);
  expect([e.code, e.stdout]).toEqual([0, "/dev/pts/0\r\n"]);
  run(["rm", "-f", id]);
});

test("run -dt: the detached program has a pty of its own (its output logged), and -dit keeps a shell waiting", async () => {
  const dt = run(["run", "-dt", "busybox", "sh", "-c", "tty; stty size"]).trim();
  expect(run(["wait", dt])).toBe("0\n");
  expect(run(["logs", dt])).toBe("/dev/pts/0\r\n24 80\r\n");
  const dit = run(["run", "-dit", "busybox", "sh"]).trim();
  await Bun.sleep(300);
  expect(run(["exec", dit, "ps", "-o", "pid,args"])).toContain("    1 sh\n");
  run(["rm", "-f", dt, dit]);
});

/** A tmux session running `command` in a 100x30 terminal: what is on screen, keys to send. */
function inTmux(command: string) {
  const session = `bunbox-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...a: string[]) => Bun.spawnSync(["tmux", ...a], { stdout: "pipe", stderr: "pipe" });
  const screen = () => tmux("capture-pane", "-t", session, "-p").stdout.toString();
  // The pane's shell inherits the tmux server's environment, which is this test process's: in the
  // VMs that holds BUN_BE_BUN=1 (their dist/bunbox runs the tests as bun), and with it dist/bunbox
  // started as bun, printed bun's help and never showed a prompt
  tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", `unset BUN_BE_BUN; ${command}`);
  return {
    send: (...keys: string[]) => tmux("send-keys", "-t", session, ...keys),
    resize: (x: number, y: number) => tmux("resize-window", "-t", session, "-x", String(x), "-y", String(y)),
    until: async (text: string) => {
      // by the clock: each capture-pane is a process start, seconds apiece in a TCG VM, where a
      // loaded host made the shell's first prompt take over 40 s (returns as soon as it is there)
      for (const end = Date.now() + 10_000 * SLOW; Date.now() < end && !screen().includes(text);) await Bun.sleep(50);
      return screen();
    },
    kill: () => tmux("kill-session", "-t", session),
  };
}

/** In the terminal: the container's own pty, Ctrl-C reaching the program, the size following, the exit status. */
async function checkInteractive(t: ReturnType<typeof inTmux>): Promise<void> {
  // The prompt first: a Ctrl-C typed before bunbox holds the terminal in raw mode would kill bunbox
  // and the tmux command around it, leaving an empty screen to compare
  expect(await t.until("/ #")).toContain("/ #");
  t.send("tty; stty size; echo $TERM; sleep 30", "Enter");
  expect(await t.until("xterm")).toContain("xterm");
  t.send("C-c");
  await Bun.sleep(300 * SLOW);
  t.resize(120, 40);
  await Bun.sleep(300 * SLOW);
  t.send("stty size; exit 3", "Enter");
  const out = await t.until("EXIT=");
  // The pty is the container's own (its devpts instance), as runc makes it
  expect(out).toContain("/dev/pts/0\n30 100\nxterm\n");
  expect(out).toContain("^C");
  expect(out).toContain("40 120\n");
  expect(out).toContain("EXIT=3");
}

test("-it through a real terminal (tmux): Ctrl-C reaches the container, the size follows, exit returns its status", async () => {
  const t = inTmux(`BUNBOX_ROOT=${sb.root} ${BIN} run --rm -it busybox sh; echo EXIT=$?; sleep ${30 * SLOW}`);
  try {
    await checkInteractive(t);
  } finally {
    t.kill();
  }
}, 60_000 * SLOW);

test("exec -it the same way, on a pty of the container's own devpts", async () => {
  const id = run(["run", "-d", "busybox", "sleep", String(60 * SLOW)]).trim();
  const t = inTmux(`BUNBOX_ROOT=${sb.root} ${BIN} exec -it ${id} sh; echo EXIT=$?; sleep ${30 * SLOW}`);
  try {
    await checkInteractive(t);
  } finally {
    t.kill();
    run(["rm", "-f", id]);
  }
}, 60_000 * SLOW);
