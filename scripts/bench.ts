#!/usr/bin/env bun
// npm run bench: bunbox next to its peers, printed as a markdown table for the README.
//   a. start-to-exit of `true` in a busybox container: bunbox run vs runc vs bwrap
//   b. first import of a Debian bookworm minbase rootfs tarball: bunbox import vs GNU tar
//
//   bun scripts/bench.ts [--runs 30] [--imports 5]
// Needs root. Installs runc, bubblewrap and debootstrap with apt-get when missing.
import { $ } from "bun";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, aptEnsure, percentile } from "./lib/util.ts";
import { parseTimeline, medianTimeline } from "./lib/timeline.ts";
import { firstMoveMs } from "./lib/grace-period.ts";

const { values } = parseArgs({ options: { runs: { type: "string" }, imports: { type: "string" } } });
const RUNS = Number(values.runs ?? 30);
const IMPORTS = Number(values.imports ?? 5);
const bunbox = join(ROOT, "dist", "bunbox");
const cache = join(ROOT, ".cache");
const log = (s: string) => console.error(`bench: ${s}`);

// Build output goes to stderr so stdout is only the markdown.
// Start times multiply when anything else runs (a test suite beside it made a 7 ms Bun start
// look like 42 ms): the load at the start is printed with the numbers
const loadAtStart = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
if (loadAtStart > 0.5) log(`load average ${loadAtStart}: something else is running; these numbers will not be a quiet machine's`);
const built = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts")], { stdio: ["ignore", 2, 2] });
if (built.exitCode !== 0) process.exit(1);
await aptEnsure({ runc: "runc", bwrap: "bubblewrap", debootstrap: "debootstrap" });

/** Wall time of one run in ms, or an Error carrying its stderr. */
function timed(cmd: string[], env?: Record<string, string>): number | Error {
  const t = performance.now();
  const r = Bun.spawnSync(cmd, { stdio: ["ignore", "ignore", "pipe"], ...(env ? { env: { ...process.env, ...env } } : {}) });
  const ms = performance.now() - t;
  return r.exitCode === 0 ? ms : new Error(`${cmd.join(" ")}: exit ${r.exitCode}: ${r.stderr.toString().trim()}`);
}

const scratch = mkdtempSync(join(tmpdir(), "bunbox-bench-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const fresh = (name: string) => mkdtempSync(join(scratch, `${name}-`));

// ---- a. start-to-exit latency -------------------------------------------------
// One rootfs shared by runc and bwrap, extracted from the very image bunbox embeds.
const bundle = join(scratch, "bundle");
mkdirSync(join(bundle, "rootfs"), { recursive: true });
await $`tar -xpf - -C ${join(bundle, "rootfs")} < ${Bun.zstdDecompressSync(await Bun.file(join(ROOT, "dist", "busybox.tar.zst")).bytes())}`;
await $`runc spec --bundle ${bundle}`;
const spec = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8"));
spec.process.args = ["true"];
spec.process.terminal = false; // no tty under CI; the network namespace stays as runc spec made it
writeFileSync(join(bundle, "config.json"), JSON.stringify(spec, null, 2));
const runcState = fresh("runc-state");
let runcId = 0;

// The floor of bunbox's process model, for comparison: a compiled Bun program that starts itself
// once more and waits for it (the CLI and the init stage), doing nothing else
const floorDir = fresh("floor");
writeFileSync(join(floorDir, "two.ts"), 'if (process.argv[2] === "child") process.exit(0);\nprocess.exit(await Bun.spawn([process.execPath, "child"], { stdio: ["inherit", "inherit", "inherit"] }).exited);\n');
const floorBuild = await Bun.build({ entrypoints: [join(floorDir, "two.ts")], compile: { outfile: join(floorDir, "two") }, bytecode: true, format: "esm" });
if (!floorBuild.success) throw new AggregateError(floorBuild.logs, "building the floor program failed");

const bunboxRoot = fresh("bunbox-root");
const ociRoot = fresh("bunbox-oci-state");
let ociId = 0;
const peers: Record<string, () => string[]> = {
  bunbox: () => [bunbox, "run", "--rm", "--root", bunboxRoot, "busybox", "true"],
  // What Docker's seccomp profile costs at start (compiled once, then cached)
  "bunbox-unconfined": () => [bunbox, "run", "--rm", "--root", bunboxRoot, "--security-opt", "seccomp=unconfined", "busybox", "true"],
  // The OCI runtime mode on the very bundle runc runs: create + start + wait + delete
  "bunbox-runc": () => [bunbox, "runc", "--root", ociRoot, "run", "--bundle", bundle, `bench-${process.pid}-${ociId++}`],
  runc: () => ["runc", "--root", runcState, "run", "--bundle", bundle, `bench-${process.pid}-${runcId++}`],
  // The CLI with the two runtime settings its init stage gets (spawn-init.ts) and that a compiled
  // Bun binary cannot give itself: they are read before any of its code runs
  "bunbox-tuned": () => [bunbox, "run", "--rm", "--root", bunboxRoot, "busybox", "true"],
  bwrap: () => ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", join(bundle, "rootfs"), "/", "--proc", "/proc", "--dev", "/dev", "true"],
  "bun-floor": () => [join(floorDir, "two")],
};

const PEER_ENV: Record<string, Record<string, string>> = { "bunbox-tuned": { MIMALLOC_ALLOW_THP: "1", BUN_JSC_useWarmUpMarkedBlocks: "0" } };
const unavailable = new Map<string, string>();
for (const [name, cmd] of Object.entries(peers)) {
  // Warm-up: bunbox imports its embedded image into --root here; all get a hot page cache.
  const r = timed(cmd(), PEER_ENV[name]);
  if (r instanceof Error) unavailable.set(name, r.message.split("\n")[0]!.slice(0, 160));
}
for (const [name, why] of unavailable) log(`${name} unavailable: ${why}`);
// What the set-up wrote (the runc bundle's rootfs, bunbox's import of its image: a few MB) is
// written back now, not in the middle of the runs, where a journal commit stalls whoever waits
await $`sync`;

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(peers).map((n) => [n, []]));
const live = Object.keys(peers).filter((n) => !unavailable.has(n));
log(`start-to-exit: ${RUNS} runs each of ${live.join(", ")}, interleaved`);
for (let i = 0; i < RUNS; i++) {
  // Rotate the order each round so no tool always runs right after another.
  for (let k = 0; k < live.length; k++) {
    const name = live[(i + k) % live.length]!;
    const r = timed(peers[name]!(), PEER_ENV[name]);
    if (r instanceof Error) throw r;
    samples[name]!.push(r);
  }
}

// The kernel's wait on a first move into a cgroup, which each start above includes once
const firstMove = await firstMoveMs(10);
if (typeof firstMove === "string") log(`first move into a cgroup not measured: ${firstMove}`);

// ---- where a run's milliseconds go: the timeline of --explain=timeline, medians --------
// Timed on their own (the narration and the timeline cost a little): not part of the table above
const TIMELINE_RUNS = 15;
const timelines: Record<string, Map<string, number>[]> = { bunbox: [], "bunbox-runc": [] };
const timelineCmd: Record<string, () => string[]> = {
  bunbox: () => [bunbox, "run", "--rm", "--root", bunboxRoot, "--explain=timeline", "busybox", "true"],
  "bunbox-runc": () => [bunbox, "runc", "--root", ociRoot, "run", "--explain-timeline", "--bundle", bundle, `bench-${process.pid}-${ociId++}`],
};
for (let i = 0; i < TIMELINE_RUNS; i++) {
  for (const name of Object.keys(timelines)) {
    if (unavailable.has(name)) continue;
    const r = Bun.spawnSync(timelineCmd[name]!(), { stdio: ["ignore", "ignore", "pipe"] });
    if (r.exitCode === 0) timelines[name]!.push(parseTimeline(r.stderr.toString()));
  }
}

// ---- b. first import of a real rootfs tarball ----------------------------------
/** The mirror the machine already uses for bookworm (deb822 or one-line sources). */
function debianMirror(): string {
  const dir = "/etc/apt/sources.list.d";
  const files = ["/etc/apt/sources.list", ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [])];
  for (const f of files.filter((f) => existsSync(f) && /\.(list|sources)$/.test(f))) {
    for (const stanza of readFileSync(f, "utf8").split(/\n\s*\n/)) {
      const uris = stanza.match(/^URIs:\s*(\S+)/m)?.[1];
      if (uris && /^Suites:.*\bbookworm(\s|$)/m.test(stanza)) return uris;
      const line = stanza.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m)?.[1];
      if (line) return line;
    }
  }
  return "http://deb.debian.org/debian";
}

const tarball = join(cache, "bookworm-minbase.tar");
if (!existsSync(tarball)) {
  const mirror = debianMirror();
  const dir = join(cache, "bookworm-minbase");
  log(`debootstrap --variant=minbase bookworm from ${mirror} (once; cached in .cache/)`);
  // debootstrap removes <dir>/debootstrap when it succeeds: a finished tree is reused.
  if (!existsSync(join(dir, "etc", "debian_version")) || existsSync(join(dir, "debootstrap"))) {
    rmSync(dir, { recursive: true, force: true });
    await $`debootstrap --variant=minbase bookworm ${dir} ${mirror}`.quiet();
  }
  // Like a published rootfs (docker's debian images): no downloaded .debs or apt lists.
  const prune = (sub: string, re: RegExp) =>
    readdirSync(join(dir, sub)).filter((f) => re.test(f)).forEach((f) => rmSync(join(dir, sub, f), { force: true }));
  prune("var/cache/apt/archives", /\.deb$/);
  prune("var/cache/apt", /\.bin$/);
  prune("var/lib/apt/lists", /_/);
  await $`tar --numeric-owner --xattrs ${"--xattrs-include=*"} -cpf ${tarball}.part -C ${dir} .`;
  await $`mv ${tarball}.part ${tarball}`;
  rmSync(dir, { recursive: true, force: true });
}
const tarSize = Bun.file(tarball).size;

const importers: Record<string, (dir: string) => string[]> = {
  bunbox: (dir) => [bunbox, "import", "--root", dir, tarball],
  tar: (dir) => ["tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-xpf", tarball, "-C", dir],
};
const imports: Record<string, number[]> = { bunbox: [], tar: [] };
// Both read the tarball from the page cache (read it once now) and start with no
// dirty pages from the previous run (sync, untimed); the order alternates.
await $`cat ${tarball} > /dev/null`;
for (let i = 0; i < IMPORTS; i++) {
  const order = i % 2 ? ["tar", "bunbox"] : ["bunbox", "tar"];
  for (const name of order) {
    if (unavailable.has(`import:${name}`)) continue;
    const dir = fresh(`import-${name}`);
    await $`sync`;
    const r = timed(importers[name]!(dir));
    rmSync(dir, { recursive: true, force: true });
    if (r instanceof Error) {
      if (name !== "bunbox") throw r;
      unavailable.set("import:bunbox", r.message.split("\n")[0]!.slice(0, 160));
      log(`bunbox import unavailable: ${unavailable.get("import:bunbox")}`);
      continue;
    }
    imports[name]!.push(r);
  }
}

// ---- report ---------------------------------------------------------------------
const med = (xs: number[]) => percentile(xs, 50);
const ms = (name: string) => (unavailable.has(name) ? "unavailable" : `${med(samples[name]!).toFixed(1)} / ${percentile(samples[name]!, 90).toFixed(1)}`);
const ratio = (a: number[], b: number[]) => (a.length && b.length ? `${(med(a) / med(b)).toFixed(2)}×` : "n/a");
const kernel = (await $`uname -r`.text()).trim();
// File creation speed differs hugely between disks and tmpfs: say where we wrote.
const fs = (await $`findmnt -no FSTYPE -T ${scratch}`.text()).trim();

console.log(`
Measured on ${cpus().length} × ${cpus()[0]?.model.trim()}, Linux ${kernel}, scratch dirs on ${fs} (TMPDIR), ${new Date().toISOString().slice(0, 10)}, with nothing else running (load average ${loadAtStart} at the start); every tool's runs interleaved.

| start-to-exit of \`true\` (busybox), ${RUNS} runs | median / p90 ms |
| --- | --- |
| \`bunbox run --rm busybox true\` | ${ms("bunbox")} |
| \`runc run\` (runc spec bundle) | ${ms("runc")} |
| \`bwrap --unshare-all\` | ${ms("bwrap")} |
| \`bunbox run … --security-opt seccomp=unconfined\` | ${ms("bunbox-unconfined")} |
| \`bunbox runc run\` (the same runc spec bundle) | ${ms("bunbox-runc")} |
| \`bunbox run --rm busybox true\`, the CLI given \`MIMALLOC_ALLOW_THP=1 BUN_JSC_useWarmUpMarkedBlocks=0\` | ${ms("bunbox-tuned")} |
| two Bun processes doing nothing (a compiled program that runs itself once and waits): bunbox's floor | ${ms("bun-floor")} |
| a process's first move into a new cgroup (the kernel's RCU grace period: runc and bunbox each wait it out once per start; 10 moves, idle) | ${typeof firstMove === "string" ? "n/a" : `${med(firstMove).toFixed(1)} / ${percentile(firstMove, 90).toFixed(1)}`} |
| bunbox / runc | ${unavailable.has("bunbox") ? "n/a" : ratio(samples.bunbox!, samples.runc!)} |
| bunbox default seccomp / unconfined | ${unavailable.has("bunbox-unconfined") ? "n/a" : ratio(samples.bunbox!, samples["bunbox-unconfined"]!)} |
| bunbox runc run / runc run (one bundle) | ${unavailable.has("bunbox-runc") ? "n/a" : ratio(samples["bunbox-runc"]!, samples.runc!)} |
| bunbox with those two settings / runc | ${unavailable.has("bunbox-tuned") ? "n/a" : ratio(samples["bunbox-tuned"]!, samples.runc!)} |
| bunbox / bwrap | ${unavailable.has("bunbox") ? "n/a" : ratio(samples.bunbox!, samples.bwrap!)} |

| where \`bunbox run --rm busybox true\` spends its time: \`--explain=timeline\`, median of ${TIMELINE_RUNS} runs | process | ms since bunbox started | since the row before |
| --- | --- | --- | --- |
${medianTimeline(timelines.bunbox!).join("\n")}

| the same for \`bunbox runc run\` (runc spec bundle) | process | ms since bunbox started | since the row before |
| --- | --- | --- | --- |
${medianTimeline(timelines["bunbox-runc"]!).join("\n")}

| first import, bookworm minbase tar (${(tarSize / 1024 / 1024).toFixed(0)} MiB), median of ${IMPORTS} | ms |
| --- | --- |
| \`bunbox import\` | ${imports.bunbox!.length ? med(imports.bunbox!).toFixed(0) : "unavailable"} |
| \`tar -xpf\` (GNU tar, --xattrs) | ${med(imports.tar!).toFixed(0)} |
| bunbox / tar | ${ratio(imports.bunbox!, imports.tar!)} |`);
