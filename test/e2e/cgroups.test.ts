// Resource limits on a real kernel, through the compiled binary: the memory hog dies at its limit
// (137 and the message), a fork bomb stays inside --pids-limit, --cpus 0.5 holds a busy loop to half
// a CPU, and the cgroup files hold what the flags asked. Runs on this hybrid host and, through
// scripts/vm-test.ts, inside VMs with cgroup v2 only: from a systemd login session, from a systemd
// service, and from a populated session cgroup without systemd. bunbox runs exactly as a user
// types it there: nothing puts it in a cgroup of its own first.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { Sandbox, BIN, type Result, SLOW } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
const mode = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup rw,") && !/ - cgroup cgroup /.test(readFileSync("/proc/self/mountinfo", "utf8")) ? "v2" : "hybrid";
const log = (s: string) => process.stderr.write(`  [cgroups ${mode}] ${s}\n`);

const argv = (args: string[]) => [BIN, ...args];

function run(args: string[], timeoutMs = 60_000 * SLOW): Result {
  const r = Bun.spawnSync(argv(["run", "--rm", ...args]), {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1", TZ: "UTC", BUNBOX_ROOT: sb.root },
    stdin: "ignore", timeout: timeoutMs,
  });
  return { code: r.exitCode ?? 128 + 9, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function ok(args: string[]): string {
  const r = run(args);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The container's own cgroup file, as it sees it through its cgroup namespace. */
const file = (v1dir: string, name: string) => (mode === "v2" ? `/sys/fs/cgroup/${name}` : `/sys/fs/cgroup/${v1dir}/${name}`);

afterAll(() => {
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

describe(`cgroup limits (${mode})`, () => {
  test("a memory hog is killed at its limit: exit 137 and bunbox says so", () => {
    const t0 = performance.now();
    const r = run(["-m", "64m", "busybox", "tail", "/dev/zero"]);
    log(`memory hog under -m 64m: exit ${r.code} after ${Math.round(performance.now() - t0)} ms; stderr ${JSON.stringify(r.stderr.trim())}`);
    expect(r.code).toBe(137);
    expect(sb.normalise(r.stderr).replace(/container \S+ was/, "container <NAME> was")).toBe(golden("cgroups/oom.txt", "bunbox: container <NAME> was killed: out of memory (limit 64 MiB)\n"));
  });

  test("the record says OOMKilled and keeps the cgroup dirs; the dirs are gone afterwards", () => {
    const r = Bun.spawnSync(argv(["run", "--name", "hog", "-m", "32m", "busybox", "tail", "/dev/zero"]), { env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root } });
    expect(r.exitCode).toBe(137);
    expect(r.stderr.toString()).toBe("bunbox: container hog was killed: out of memory (limit 32 MiB)\n");
    const runDir = `${sb.root}/run`;
    const id = readdirSync(runDir).find((d) => /^[0-9a-f]{64}$/.test(d))!;
    const rec = JSON.parse(readFileSync(`${runDir}/${id}/state.json`, "utf8"));
    expect([rec.status, rec.exitCode, rec.oomKilled]).toEqual(["exited", 137, true]);
    expect(rec.cgroupDirs.length).toBe(mode === "v2" ? 1 : readFileSync("/proc/self/cgroup", "utf8").trim().split("\n").length);
    // A systemd scope where systemd runs cgroup v2 (the systemd manager), else bunbox/<id>
    const scope = mode === "v2" && existsSync("/run/systemd/system");
    expect(rec.cgroupUnit).toBe(scope ? `bunbox-${id}.scope` : undefined);
    for (const d of rec.cgroupDirs) {
      expect(d.endsWith(scope ? `/bunbox.slice/bunbox-${id}.scope` : `/bunbox/${id}`)).toBe(true);
      expect(existsSync(d)).toBe(false);
    }
    // v1/hybrid: the memory directory hangs below the cgroup bunbox was started in (on v2 where it
    // goes is the cgroup manager's choice: a systemd scope, or bunbox/<id> at the root)
    const ownMem = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => /^\d+:(memory)?:/.test(l) && (mode === "v2" || l.includes(":memory:")))!.split(":")[2]!;
    if (mode === "hybrid") expect(rec.cgroupDirs.some((d: string) => d.includes(`${ownMem === "/" ? "" : ownMem}/bunbox/${id}`))).toBe(true);
    expect(Bun.spawnSync(argv(["rm", "hog"]), { env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root } }).exitCode).toBe(0);
  });

  test("a fork bomb under --pids-limit 64 stays inside while the host stays responsive", async () => {
    const pidsCurrent = file("pids", "pids.current"), pidsEvents = file("pids", "pids.events");
    const script = `sleep 4 & s=$!; f(){ f|f & }; f 2>/dev/null; wait $s; read n < ${pidsCurrent}; read ev < ${pidsEvents}; echo "$n|$ev"`;
    const proc = Bun.spawn(argv(["run", "--rm", "--pids-limit", "64", "busybox", "sh", "-c", script]), {
      env: { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root }, stdout: "pipe", stderr: "pipe",
    });
    await Bun.sleep(1500);
    // the host: new processes still start quickly
    let worst = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      expect(Bun.spawnSync(["/bin/sh", "-c", "echo alive"]).stdout.toString()).toBe("alive\n");
      worst = Math.max(worst, performance.now() - t);
    }
    const code = await proc.exited;
    const out = (await new Response(proc.stdout).text()).trim();
    const [current, events] = out.split("|");
    log(`fork bomb under --pids-limit 64: pids.current ${current} at the end, pids.events "${events}", host spawn worst ${worst.toFixed(1)} ms, exit ${code}`);
    expect(code).toBe(0);
    expect(Number(current)).toBeLessThanOrEqual(64);
    expect(Number(/max (\d+)/.exec(events ?? "")?.[1] ?? 0)).toBeGreaterThan(0);
    expect(worst).toBeLessThan(mode === "v2" ? 3000 : 500);
  });

  test("--cpus 0.5: a busy loop gets 40-60% of one CPU over 2 s, by cpu.stat", () => {
    // usage in µs from the container's own cgroup: cpu.stat usage_usec (v2), cpuacct.usage ns (v1)
    const usage = mode === "v2"
      ? "u(){ while read k v; do [ $k = usage_usec ] && echo $v; done < /sys/fs/cgroup/cpu.stat; }"
      : "u(){ read n < /sys/fs/cgroup/cpuacct/cpuacct.usage; echo $((n/1000)); }";
    const script = `${usage}; (while :; do :; done) & p=$!; a=$(u); read t0 x < /proc/uptime; sleep 2; b=$(u); read t1 x < /proc/uptime; kill $p; echo "$a $b $t0 $t1"`;
    const [a, b, t0, t1] = ok(["--cpus", "0.5", "busybox", "sh", "-c", script]).trim().split(" ").map(Number);
    const pct = ((b! - a!) / 1e6 / (t1! - t0!)) * 100;
    log(`--cpus 0.5 busy loop: ${((b! - a!) / 1000).toFixed(0)} ms CPU over ${(t1! - t0!).toFixed(2)} s = ${pct.toFixed(1)}% of one CPU`);
    expect(pct).toBeGreaterThanOrEqual(40);
    expect(pct).toBeLessThanOrEqual(60);
  });

  test("the cgroup files hold the flags' values", () => {
    const files = mode === "v2"
      ? ["memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight", "cpuset.cpus", "pids.max"].map((f) => `/sys/fs/cgroup/${f}`)
      : ["memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes", "memory/memory.soft_limit_in_bytes", "cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us", "cpu/cpu.shares", "cpuset/cpuset.cpus", "pids/pids.max"].map((f) => `/sys/fs/cgroup/${f}`);
    const script = files.map((f) => `echo "${f}: $(cat ${f})"`).join("; ") + "; cat /proc/self/cgroup; ulimit -n; cat /proc/self/oom_score_adj";
    const out = ok(["-m", "96m", "--memory-swap", "128m", "--memory-reservation", "32m", "--cpus", "1.5", "--cpu-shares", "512", "--cpuset-cpus", "0", "--pids-limit", "100", "--ulimit", "nofile=256:512", "--oom-score-adj", "250", "busybox", "sh", "-c", script]);
    expect(out).toBe(golden(`cgroups/files-${mode}.txt`, out));
  });

  test("bunbox stats --no-stream --format json: CPU %, memory usage/limit, pids of a running container", async () => {
    const env = { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root };
    const proc = Bun.spawn(argv(["run", "--rm", "--name", "busy", "-m", "64m", "--cpus", "0.5", "busybox", "sh", "-c", "while :; do :; done"]), { env, stdout: "ignore", stderr: "pipe" });
    const runDir = `${sb.root}/run`;
    let rec: { pid?: number; status?: string; name?: string } = {};
    for (let i = 0; i < 100 * SLOW && rec.status !== "running"; i++) {
      await Bun.sleep(100);
      // The record named "busy" (another test's leftovers must not be mistaken for it)
      for (const id of existsSync(runDir) ? readdirSync(runDir).filter((d) => /^[0-9a-f]{64}$/.test(d)) : []) {
        try {
          const r = JSON.parse(readFileSync(`${runDir}/${id}/state.json`, "utf8"));
          if (r.name === "busy") rec = r;
        } catch { /* being written */ }
      }
    }
    // Whatever happens below, the busy loop must not outlive the test
    // (killing the container lets its bunbox clean up; the exit hook is the last resort)
    const stopBusy = () => { try { process.kill(rec.pid!, "SIGKILL"); } catch { /* gone */ } };
    process.once("exit", () => { stopBusy(); try { proc.kill(9); } catch { /* gone */ } });
    await Bun.sleep(500);
    const r = Bun.spawnSync([BIN, "stats", "--no-stream", "--format", "json", "busy"], { env });
    const table = Bun.spawnSync([BIN, "stats", "--no-stream"], { env }).stdout.toString();
    stopBusy();
    await proc.exited;
    const row = JSON.parse(r.stdout.toString());
    log(`stats: ${r.stdout.toString().trim()}`);
    expect(row.Name).toBe("busy");
    expect(row.MemUsage).toMatch(/ \/ 64MiB$/);
    expect(row.PIDs).toBe("1");
    const cpu = parseFloat(row.CPUPerc);
    expect(cpu).toBeGreaterThan(30);
    expect(cpu).toBeLessThan(70);
    expect(table.split("\n")[0]).toBe("CONTAINER ID   NAME      CPU %    MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS".replace(/CPU %    /, table.split("\n")[0]!.match(/CPU %\s+/)![0]));
    expect(table).toContain(" busy ");
  });

  test("device rules (v1 devices.allow, v2 an eBPF filter): a node outside Docker's list can be made but not opened", () => {
    // tun (10:200) and loop0 (7:0) are not in Docker's default list; /dev/null and a pty are.
    // Refused: EPERM from the device cgroup, whatever the driver for the device says.
    const script = "mknod /tmp/tun c 10 200 && cat /tmp/tun; mknod /tmp/loop b 7 0 && head -c1 /tmp/loop; echo x > /dev/null && echo null ok; exec 3<>/dev/ptmx && echo ptmx ok";
    const r = run(["busybox", "sh", "-c", script]);
    log(`devices: ${JSON.stringify(r.stdout + r.stderr)}`);
    expect(r.stdout).toBe("null ok\nptmx ok\n");
    expect(r.stderr).toBe("cat: can't open '/tmp/tun': Operation not permitted\nhead: /tmp/loop: Operation not permitted\n");
    // --privileged: the same nodes are not refused by the device cgroup (tun opens or the driver answers)
    const p = run(["--privileged", "busybox", "sh", "-c", "mknod /tmp/tun c 10 200 && cat /tmp/tun"]);
    expect(p.stderr).not.toContain("Operation not permitted");
  });

  test("exec into a container holding CAP_SYS_PTRACE: frozen while the exec stage starts (confirmed by this freezer), thawed after", () => {
    const env = { PATH: "/usr/bin:/bin", BUNBOX_ROOT: sb.root };
    const bb = (args: string[]) => Bun.spawnSync(argv(args), { env, stdin: "ignore", timeout: 30_000 * SLOW });
    expect(bb(["run", "-d", "--name", "fz", "--cap-add", "SYS_PTRACE", "busybox", "sleep", "30"]).exitCode).toBe(0);
    try {
      const r = bb(["exec", "fz", "sh", "-c", "echo ok"]);
      expect([r.exitCode, r.stdout.toString(), r.stderr.toString()]).toEqual([0, "ok\n", ""]);
      expect(bb(["ps"]).stdout.toString()).not.toContain("Paused");
      // Paused by the user: refused, and left paused
      expect(bb(["pause", "fz"]).exitCode).toBe(0);
      expect(bb(["exec", "fz", "true"]).stderr.toString()).toBe("bunbox: container fz is paused, unpause the container before exec\n");
      expect(bb(["ps"]).stdout.toString()).toContain("(Paused)");
    } finally {
      bb(["rm", "-f", "fz"]);
    }
  });

  test("bad values fail with one line and 125, and leave nothing behind (the cgroup made before the flags were read goes)", () => {
    const before = bunboxCgroups();
    const cases: [string[], string][] = [
      [["-m", "12q"], `bunbox: invalid argument "12q" for "-m, --memory" flag: invalid size: '12q' (use a number with an optional unit b, k, m or g)\n`],
      [["--cpus", "-1"], "--cpus"],
      [["-m", "5m"], "bunbox: minimum memory limit allowed is 6MB (-m 5m is 5242880 bytes)\n"],
      [["--cpuset-cpus", "0-4095"], "bunbox: requested CPUs are not available - requested 0-4095, available: "],
      [["--pids-limit", "x"], `bunbox: invalid argument "x" for "--pids-limit" flag: not an integer\n`],
      [["--ulimit", "nofile=10:5"], "bunbox: ulimit soft limit must be less than or equal to hard limit: nofile=10:5\n"],
    ];
    for (const [flags, message] of cases) {
      const r = run([...flags, "busybox", "true"]);
      expect(r.code).toBe(125);
      expect(r.stderr.split("\n").length).toBe(2);
      expect(r.stderr.startsWith(message) || r.stderr.includes(message)).toBe(true);
    }
    expect(bunboxCgroups()).toEqual(before);
    expect(sb.leftovers()).toEqual([]);
  });

  test("the shared bunbox parent stays at a hierarchy's root once empty (as Docker's and runc's do), and goes from inside another cgroup", () => {
    // v1 and hybrid hosts (v2: systemd's scopes, or a parent at the root whichever cgroup bunbox is in)
    if (mode === "v2") return;
    ok(["busybox", "true"]);
    // Where this test (and so bunbox) sits in each hierarchy, and where that hierarchy is mounted
    const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => / - cgroup2? /.test(l)).map((l) => ({ point: l.split(" ")[4]!, opts: l.split(" - ")[1]!.split(" ")[2]! }));
    for (const line of readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
      const [, ctrls, path] = line.split(":");
      const m = ctrls ? mounts.find((x) => x.opts.split(",").includes(ctrls.split(",")[0]!)) : mounts.find((x) => !x.opts.includes("cgroup"));
      if (!m || (ctrls && !m.opts.split(",").some((o) => ctrls.split(",").includes(o)))) continue;
      const atRoot = path === "/";
      const parent = `${m.point}${atRoot ? "" : path}/bunbox`;
      expect([parent, existsSync(parent)]).toEqual([parent, atRoot]);
    }
  });

  test("a run that fails after its cgroup is made leaves no cgroup: a missing image, a command not found, a name in use", () => {
    const before = bunboxCgroups();
    const missing = run(["nosuchimage", "true"]);
    expect([missing.code, missing.stderr]).toEqual([125, expect.stringContaining("unable to find image 'nosuchimage'")]);
    expect(run(["busybox", "nosuchcommand"]).code).toBe(127);
    const held = Bun.spawnSync(argv(["run", "-d", "--name", "held", "busybox", "sleep", "30"]), { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", BUNBOX_ROOT: sb.root } });
    expect(held.exitCode).toBe(0);
    const clash = run(["--name", "held", "busybox", "true"]);
    expect([clash.code, clash.stderr]).toEqual([125, expect.stringContaining('the container name "/held" is already in use')]);
    expect(Bun.spawnSync(argv(["rm", "-f", "held"]), { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", BUNBOX_ROOT: sb.root } }).exitCode).toBe(0);
    expect(bunboxCgroups()).toEqual(before);
    expect(sb.leftovers()).toEqual([]);
  });
});

/**
 * Every container cgroup of bunbox's on this host: cgroupfs directories named by a container id
 * below a `bunbox` parent, and systemd scopes. The shared `bunbox` parents are left out: they
 * come and go with any container on the host.
 */
function bunboxCgroups(): string[] {
  const r = Bun.spawnSync(["find", "/sys/fs/cgroup", "-maxdepth", "9", "-type", "d", "(", "-path", "*/bunbox/*", "-o", "-name", "bunbox-*.scope", ")"]);
  return r.stdout.toString().split("\n").filter((d) => /\/bunbox\/[0-9a-f]{64}|bunbox-.*\.scope/.test(d)).sort();
}
