#!/usr/bin/env bun
// npm run bench:memory: what an idle detached container costs the host beyond its own processes,
// bunbox next to containerd-shim-runc-v2 + runc, printed as markdown.
//
// bunbox keeps one `bunbox-monitor` per detached container (it waits for the container, writes its
// json log, records its exit); containerd keeps one containerd-shim-runc-v2 per `ctr run -d`
// container. Both are measured the same way: the sum of `Pss:` from /proc/<pid>/smaps_rollup of
// those processes, divided by N. PSS splits shared pages (the executable, libc) between the
// processes mapping them, so the per-container cost falls as N grows — for both.
// The monitor gives its pages of the bunbox executable back (MADV_PAGEOUT) 0.5 s after start and
// every 30 s, so each set is sampled twice: --early seconds after its last container started, and
// --wait seconds after (the idle, trimmed figure; target < 10 MiB per container).
//
//   bun scripts/bench-memory.ts [--n 1,5,10] [--wait 35] [--early 3] [--gap 0] [--no-peer] [--no-build]
//
// --gap S sleeps S seconds between two starts (default 0: back to back, as a script or compose
// would start them). It matters for bunbox: MADV_PAGEOUT skips pages another process also maps,
// so a monitor whose trim runs while the next `bunbox run -d` or other monitors map the same
// executable pages keeps them; with a gap longer than the 0.5 s trim delay each monitor trims alone.
//
// Needs root. The peer comes from /work/shared/labs/engines (start.sh installs Debian's containerd
// and docker.io with apt-get when missing and starts both offline under $ENGINE_DIR; stop.sh stops
// them). Engines this script started are stopped again; ones already running are left running.
// The busybox image is the one bunbox embeds: dist/busybox.tar.zst, `docker import`ed, `docker
// save`d and `ctr images import`ed — no registry. If the peer cannot be set up the bunbox half is
// still printed and the peer is reported "unavailable" with the reason.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, percentile } from "./lib/util.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string" },
    wait: { type: "string" },
    early: { type: "string" },
    gap: { type: "string" },
    "no-peer": { type: "boolean" },
    "no-build": { type: "boolean" },
  },
});
const NS = (values.n ?? "1,5,10").split(",").map(Number);
const WAIT_S = Number(values.wait ?? 35);
const EARLY_S = Number(values.early ?? 3);
const GAP_S = Number(values.gap ?? 0);
if (NS.some((n) => !Number.isInteger(n) || n < 1) || !(WAIT_S > 0) || !(EARLY_S >= 0) || EARLY_S >= WAIT_S || !(GAP_S >= 0))
  throw new Error("usage: bench-memory.ts [--n 1,5,10] [--wait 35] [--early 3] [--gap 0] (early < wait)");

const log = (s: string) => console.error(`bench-memory: ${s}`);
const bunbox = join(ROOT, "dist", "bunbox");
const LABS = "/work/shared/labs/engines";
const ENGINE_DIR = process.env.ENGINE_DIR ?? "/tmp/bunbox-bench-memory-engines";
const SOCK = join(ENGINE_DIR, "containerd.sock");
const DOCKER = ["/usr/bin/docker", "-H", `unix://${join(ENGINE_DIR, "docker.sock")}`];
const CTR = ["ctr", "--address", SOCK, "-n", "default"];
const IMAGE = "bunbox-bench/busybox:latest";
const CTR_IMAGE = `docker.io/${IMAGE}`;
const TAG = `membench-${process.pid}`;
const t0 = performance.now();

type Run = { code: number; out: string; err: string; ms: number };
function run(cmd: string[], env?: Record<string, string>): Run {
  const t = performance.now();
  const r = Bun.spawnSync(cmd, { stdio: ["ignore", "pipe", "pipe"], env: env ? { ...process.env, ...env } : undefined });
  return { code: r.exitCode ?? -1, out: r.stdout.toString(), err: r.stderr.toString(), ms: performance.now() - t };
}
function must(cmd: string[], env?: Record<string, string>): Run {
  const r = run(cmd, env);
  if (r.code !== 0) throw new Error(`${cmd.join(" ")}: exit ${r.code}: ${(r.err || r.out).trim().slice(-600)}`);
  return r;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// ---- /proc -----------------------------------------------------------------------
type Pss = { pss: number; anon: number; file: number }; // KiB
function pssOf(pids: number[]): Pss & { missing: number[] } {
  const sum = { pss: 0, anon: 0, file: 0, missing: [] as number[] };
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    } catch {
      sum.missing.push(pid);
      continue;
    }
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    sum.pss += field("Pss");
    sum.anon += field("Pss_Anon");
    sum.file += field("Pss_File");
  }
  return sum;
}
function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}
const allPids = () => readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && cmdline(pid).length > 0;

// ---- cleanup, also on Ctrl-C ---------------------------------------------------------
const cleanups: Array<() => void> = [];
let cleaned = false;
function cleanupAll() {
  if (cleaned) return;
  cleaned = true;
  for (const f of cleanups.reverse()) {
    try {
      f();
    } catch (e) {
      log(`cleanup: ${(e as Error).message}`);
    }
  }
}
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanupAll();
    process.exit(130);
  });

// ---- build ------------------------------------------------------------------------------
if (!values["no-build"]) {
  const built = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts")], { stdio: ["ignore", 2, 2] });
  if (built.exitCode !== 0) process.exit(1);
}
if (!existsSync(bunbox)) throw new Error(`${bunbox} missing: run npm run build`);

const scratch = mkdtempSync(join(tmpdir(), "bunbox-bench-memory-"));
const bunboxRoot = join(scratch, "root");
mkdirSync(bunboxRoot);
cleanups.push(() => {
  // Never rm -rf through a mount: bunbox unmounts a container's rootfs on rm, check anyway.
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n").map((l) => l.split(" ")[1] ?? "").filter((m) => m.startsWith(scratch + "/"));
  for (const m of mounts.sort().reverse()) run(["umount", "-l", m]);
  rmSync(scratch, { recursive: true, force: true });
});

// ---- bunbox -------------------------------------------------------------------------------
// --root goes right after the subcommand: after the image, everything is the container's command.
const bb = (sub: string, ...args: string[]) => [bunbox, sub, "--root", bunboxRoot, ...args];
/** bunbox-monitor processes of our --root, found by argv0 (cross-check of state.json). */
const monitorsByArgv0 = () =>
  allPids().filter((p) => {
    const a = cmdline(p);
    return a[0] === "bunbox-monitor" && a[2] === join(bunboxRoot, "run");
  });

class BunboxSet {
  ids: string[] = [];
  monitors: number[] = [];
  startMs: number[] = [];
  start(n: number) {
    for (let i = 0; i < n; i++) {
      if (i && GAP_S) Bun.sleepSync(GAP_S * 1000);
      const r = must(bb("run", "-d", "--name", `${TAG}-${n}-${i}`, "busybox", "sleep", "600"));
      this.startMs.push(r.ms);
      this.ids.push(r.out.trim());
    }
    for (const id of this.ids) {
      const state = JSON.parse(readFileSync(join(bunboxRoot, "run", id, "state.json"), "utf8"));
      if (state.status !== "running" || !state.watcherPid) throw new Error(`bunbox container ${id}: ${state.status}, watcherPid ${state.watcherPid}`);
      if (cmdline(state.watcherPid)[0] !== "bunbox-monitor") throw new Error(`bunbox container ${id}: watcherPid ${state.watcherPid} is not a bunbox-monitor`);
      this.monitors.push(state.watcherPid);
    }
    const byArgv0 = monitorsByArgv0().sort((a, b) => a - b);
    if (byArgv0.join() !== [...this.monitors].sort((a, b) => a - b).join())
      throw new Error(`monitors by state.json (${this.monitors}) differ from monitors by argv0 (${byArgv0})`);
    // Anything else of bunbox's left resident (a CLI or stage that did not exit) would be missed
    // by counting monitors only: there must be none.
    const others = allPids().filter((p) => {
      const a = cmdline(p);
      return a.some((x) => x.includes(bunboxRoot)) && !this.monitors.includes(p) && a[0] !== "bunbox-monitor";
    });
    if (others.length) log(`odd: other processes mention the bench root: ${others.map((p) => `${p} ${cmdline(p).join(" ")}`).join("; ")}`);
  }
  sample() {
    const s = pssOf(this.monitors);
    if (s.missing.length) throw new Error(`bunbox monitors gone before sampling: ${s.missing}`);
    return s;
  }
  stop() {
    if (!this.ids.length) return;
    must(bb("rm", "-f", ...this.ids));
    const deadline = Date.now() + 10_000;
    while (this.monitors.some(alive) && Date.now() < deadline) Bun.sleepSync(100);
    const left = [
      ...this.monitors.filter(alive).map((p) => `monitor ${p}`),
      ...monitorsByArgv0().map((p) => `monitor ${p} (by argv0)`),
      ...must(bb("ps", "-a", "-q")).out.split("\n").filter(Boolean).map((id) => `container ${id}`),
      ...this.ids.filter((id) => existsSync(join(bunboxRoot, "run", id))).map((id) => `run/${id}`),
      ...this.ids.filter((id) => existsSync(join(bunboxRoot, "containers", id))).map((id) => `containers/${id}`),
    ];
    this.ids = [];
    this.monitors = [];
    if (left.length) throw new Error(`bunbox rm -f left: ${left.join(", ")}`);
  }
}

// ---- containerd-shim-runc-v2 + runc ---------------------------------------------------------------------
let peerWhy: string | undefined = values["no-peer"] ? "skipped (--no-peer)" : undefined;
let containerdPid: number | undefined;
let versions = "";
function setupPeer() {
  const pidAlive = (f: string) => existsSync(f) && alive(Number(readFileSync(f, "utf8").trim()));
  const wasRunning = pidAlive(join(ENGINE_DIR, "containerd.pid")) || pidAlive(join(ENGINE_DIR, "dockerd.pid"));
  const dirExisted = existsSync(ENGINE_DIR);
  const hadEngines = !!Bun.which("containerd") && !!Bun.which("dockerd");
  if (!wasRunning) {
    // Registered before starting: a half-started pair is stopped too.
    cleanups.push(() => {
      const r = run(["bash", join(LABS, "stop.sh")], { ENGINE_DIR });
      log(`engines: ${r.out.trim() || r.err.trim()}`);
      if (!dirExisted && !readFileSync("/proc/mounts", "utf8").includes(` ${ENGINE_DIR}/`)) rmSync(ENGINE_DIR, { recursive: true, force: true });
    });
  }
  log(`${hadEngines ? "" : "installing containerd + docker.io with apt-get and "}starting the engines under ${ENGINE_DIR}`);
  must(["bash", join(LABS, "start.sh")], { ENGINE_DIR });
  containerdPid = Number(readFileSync(join(ENGINE_DIR, "containerd.pid"), "utf8").trim());
  versions = [must(["containerd", "--version"]).out.trim(), must(["runc", "--version"]).out.split("\n")[0]].join("; ");
  if (!must([...CTR, "images", "ls", "-q"]).out.split("\n").includes(CTR_IMAGE)) {
    const tar = join(scratch, "busybox-rootfs.tar");
    writeFileSync(tar, Bun.zstdDecompressSync(readFileSync(join(ROOT, "dist", "busybox.tar.zst"))));
    must([...DOCKER, "import", tar, IMAGE]);
    const saved = join(scratch, "busybox-image.tar");
    must([...DOCKER, "save", IMAGE, "-o", saved]);
    must([...CTR, "images", "import", saved]);
    rmSync(tar);
    rmSync(saved);
  }
  // Warm-up: first snapshot, first shim exec, hot page cache — as bunbox gets below.
  const id = `${TAG}-warm`;
  must([...CTR, "run", "--rm", CTR_IMAGE, id, "true"]);
}

/** containerd-shim-runc-v2 processes serving our containers, by their -id and -address. */
function shimsOf(ids: string[]): number[] {
  return allPids().filter((p) => {
    const a = cmdline(p);
    if (!a[0]?.endsWith("containerd-shim-runc-v2")) return false;
    const id = a[a.indexOf("-id") + 1];
    return a[a.indexOf("-address") + 1] === SOCK && !!id && ids.includes(id);
  });
}

class ShimSet {
  ids: string[] = [];
  shims: number[] = [];
  startMs: number[] = [];
  start(n: number) {
    for (let i = 0; i < n; i++) {
      if (i && GAP_S) Bun.sleepSync(GAP_S * 1000);
      const id = `${TAG}-${n}-${i}`;
      this.ids.push(id); // before starting: cleaned up even if the run fails half-way
      this.startMs.push(must([...CTR, "run", "-d", CTR_IMAGE, id, "sleep", "600"]).ms);
    }
    this.shims = shimsOf(this.ids);
    // ctr run -d: one shim per container (runc itself exits once the container runs).
    if (this.shims.length !== n) throw new Error(`expected ${n} containerd-shim-runc-v2 processes, found ${this.shims.length}`);
  }
  sample() {
    const s = pssOf(this.shims);
    if (s.missing.length) throw new Error(`shims gone before sampling: ${s.missing}`);
    return s;
  }
  stop() {
    if (!this.ids.length) return;
    const listed = () => new Set(run([...CTR, "containers", "ls", "-q"]).out.split("\n"));
    for (const id of this.ids) {
      if (!listed().has(id)) continue;
      run([...CTR, "tasks", "kill", "-s", "SIGKILL", id]);
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && run([...CTR, "tasks", "ls", "-q"]).out.split("\n").includes(id)) {
        run([...CTR, "tasks", "rm", "-f", id]);
        Bun.sleepSync(100);
      }
      run([...CTR, "containers", "rm", id]);
    }
    const deadline = Date.now() + 10_000;
    while (shimsOf(this.ids).length && Date.now() < deadline) Bun.sleepSync(100);
    const still = listed();
    const left = [...shimsOf(this.ids).map((p) => `shim ${p}`), ...this.ids.filter((id) => still.has(id)).map((id) => `container ${id}`)];
    this.ids = [];
    this.shims = [];
    if (left.length) throw new Error(`ctr cleanup left: ${left.join(", ")}`);
  }
}

// ---- measure --------------------------------------------------------------------------------------
type Row = { n: number; at: number; bunbox: Pss; shim?: Pss; containerd?: number; foreignShims?: number };
const rows: Row[] = [];
const startMs = { bunbox: [] as number[], ctr: [] as number[] };
let failure: Error | undefined;
try {
  if (!peerWhy) {
    try {
      setupPeer();
    } catch (e) {
      peerWhy = (e as Error).message.split("\n").slice(0, 3).join(" ").slice(0, 300);
      log(`peer unavailable: ${peerWhy}`);
    }
  }
  // Warm-up: imports the embedded busybox image into the fresh --root, fills the page cache.
  must(bb("run", "--rm", "busybox", "true"));

  for (const n of NS) {
    const b = new BunboxSet();
    const s = peerWhy ? undefined : new ShimSet();
    cleanups.push(() => b.stop(), () => s?.stop());
    log(`N=${n}: starting ${n} bunbox${s ? ` and ${n} ctr` : ""} containers`);
    b.start(n);
    const bReady = performance.now();
    s?.start(n);
    const sReady = performance.now();
    for (const at of [EARLY_S, WAIT_S]) {
      // Each set is sampled `at` seconds after its own last container started.
      await sleep(bReady + at * 1000 - performance.now());
      const bunboxPss = b.sample();
      await sleep(sReady + at * 1000 - performance.now());
      const row: Row = { n, at, bunbox: bunboxPss, shim: s?.sample() };
      if (containerdPid) row.containerd = pssOf([containerdPid]).pss;
      // Shims of other containerd instances on the host share the binary's pages and lower ours.
      if (s) row.foreignShims = allPids().filter((p) => cmdline(p)[0]?.endsWith("containerd-shim-runc-v2") && !s.shims.includes(p)).length;
      rows.push(row);
      log(`N=${n} @${at}s: bunbox-monitor ${(row.bunbox.pss / 1024).toFixed(1)} MiB total${row.shim ? `, containerd-shim-runc-v2 ${(row.shim.pss / 1024).toFixed(1)} MiB total` : ""}`);
    }
    startMs.bunbox.push(...b.startMs);
    if (s) startMs.ctr.push(...s.startMs);
    b.stop();
    s?.stop();
  }
} catch (e) {
  failure = e as Error;
} finally {
  cleanupAll();
}

// ---- report ------------------------------------------------------------------------------------------------
const MiB = (kib: number) => (kib / 1024).toFixed(1);
const per = (p: Pss | undefined, n: number) => (p ? MiB(p.pss / n) : "unavailable");
const split = (p: Pss | undefined, n: number) => (p ? `${MiB(p.anon / n)} / ${MiB(p.file / n)}` : "–");
const out: string[] = [];
const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
out.push(`### Idle detached container: host memory beyond the container's own processes`);
out.push("");
out.push(`PSS (MiB) of what each runtime keeps resident per container: bunbox-monitor vs containerd-shim-runc-v2 (\`ctr run -d\`, which runs runc).`);
out.push(`Sampled ${EARLY_S} s and ${WAIT_S} s after the last of the N containers started (${GAP_S ? `${GAP_S} s apart` : "back to back"}); \`busybox sleep 600\`; kernel ${kernel}${versions ? `; ${versions}` : ""}.`);
out.push("");
out.push(`| N | after | bunbox total | bunbox / container | shim total | shim / container | bunbox ÷ shim | bunbox < 10 MiB | anon / file per container (bunbox; shim) |`);
out.push(`|---:|---:|---:|---:|---:|---:|---:|:---:|---|`);
for (const r of rows) {
  const bPer = r.bunbox.pss / 1024 / r.n;
  out.push(
    `| ${r.n} | ${r.at} s | ${MiB(r.bunbox.pss)} | ${bPer.toFixed(1)} | ${r.shim ? MiB(r.shim.pss) : "unavailable"} | ${per(r.shim, r.n)} | ${r.shim ? (r.bunbox.pss / r.shim.pss).toFixed(2) : "–"} | ${bPer < 10 ? "yes" : "**no**"} | ${split(r.bunbox, r.n)}; ${split(r.shim, r.n)} |`,
  );
}
if (peerWhy) out.push("", `containerd-shim-runc-v2 + runc: unavailable — ${peerWhy}`);
const cd = rows.filter((r) => r.containerd !== undefined && r.at === WAIT_S);
if (cd.length)
  out.push("", `Not in the table, the fixed cost bunbox does not have: the containerd daemon's own PSS with N ctr containers: ${cd.map((r) => `N=${r.n} ${MiB(r.containerd!)} MiB`).join(", ")} (Go heap, noisy).`);
const foreign = Math.max(0, ...rows.map((r) => r.foreignShims ?? 0));
if (foreign) out.push("", `Note: up to ${foreign} containerd-shim-runc-v2 of other containerd instances ran on the host meanwhile; they share the shim binary's pages, which lowers the shim figures a little.`);
if (startMs.bunbox.length) {
  const med = (xs: number[]) => percentile(xs, 50);
  out.push("");
  out.push(`| start (wall, one container, sequential) | median ms | p90 ms | runs |`);
  out.push(`|---|---:|---:|---:|`);
  out.push(`| \`bunbox run -d busybox sleep 600\` | ${med(startMs.bunbox).toFixed(0)} | ${percentile(startMs.bunbox, 90).toFixed(0)} | ${startMs.bunbox.length} |`);
  if (startMs.ctr.length) {
    out.push(`| \`ctr run -d … sleep 600\` | ${med(startMs.ctr).toFixed(0)} | ${percentile(startMs.ctr, 90).toFixed(0)} | ${startMs.ctr.length} |`);
    out.push(`| ratio bunbox ÷ ctr | ${(med(startMs.bunbox) / med(startMs.ctr)).toFixed(2)} | | |`);
  }
}
out.push("", `_${((performance.now() - t0) / 1000).toFixed(0)} s in all._`);
console.log(out.join("\n"));
if (failure) {
  console.error(failure);
  process.exit(1);
}
