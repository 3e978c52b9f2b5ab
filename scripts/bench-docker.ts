#!/usr/bin/env bun
// npm run bench:docker: `docker run --runtime bunbox` against `--runtime runc` on the same
// dockerd (Debian's 20.10, started offline by scripts/engines/start.sh), interleaved, as a ratio.
// The runtime binary is started about five times per `docker run` (create, start, state,
// delete…), so its start-up counts five times here.
//
//   bun scripts/bench-docker.ts [--runs 15]   (root; installs containerd and docker.io if missing)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT, percentile } from "./lib/util.ts";

const { values } = parseArgs({ options: { runs: { type: "string" } } });
const RUNS = Number(values.runs ?? 15);
const log = (s: string) => console.error(`bench-docker: ${s}`);
const built = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts")], { stdio: ["ignore", 2, 2] });
if (built.exitCode !== 0) process.exit(1);

const ENGINE_DIR = mkdtempSync("/tmp/bbx-bench-");
const env = { ...process.env, ENGINE_DIR, DOCKER_HOST: `unix://${ENGINE_DIR}/docker.sock` };
const sh = (cmd: string[]) => {
  const r = Bun.spawnSync(cmd, { env, stdin: "ignore" });
  return { code: r.exitCode ?? 128, out: r.stdout.toString(), err: r.stderr.toString() };
};
const stop = () => { sh(["bash", join(ROOT, "scripts/engines/stop.sh")]); rmSync(ENGINE_DIR, { recursive: true, force: true }); };
process.on("exit", stop);

const started = sh(["bash", join(ROOT, "scripts/engines/start.sh"), "--add-runtime", `bunbox=${join(ROOT, "dist/bunbox")}`]);
if (started.code !== 0) {
  console.log(`docker run --runtime bunbox vs runc: unavailable (${started.err.trim().split("\n").pop()})`);
  process.exit(0);
}
const tar = join(ENGINE_DIR, "busybox.tar");
writeFileSync(tar, Bun.zstdDecompressSync(readFileSync(join(ROOT, "dist/busybox.tar.zst"))));
if (sh(["/usr/bin/docker", "import", tar, "bench-busybox:latest"]).code !== 0) throw new Error("docker import failed");

const runOnce = (runtime: string): number => {
  const t = performance.now();
  const r = sh(["/usr/bin/docker", "run", "--rm", "--runtime", runtime, "--network", "none", "bench-busybox:latest", "true"]);
  if (r.code !== 0) throw new Error(`docker run --runtime ${runtime}: exit ${r.code}: ${r.err}`);
  return performance.now() - t;
};
runOnce("bunbox"); runOnce("runc"); // warm-up
const samples: Record<string, number[]> = { bunbox: [], runc: [] };
log(`${RUNS} runs each, interleaved`);
for (let i = 0; i < RUNS; i++) for (const rt of i % 2 ? ["runc", "bunbox"] : ["bunbox", "runc"]) samples[rt]!.push(runOnce(rt));
const med = (xs: number[]) => percentile(xs, 50);
console.log(`
| \`docker run --rm --network none busybox true\`, ${RUNS} runs | median / p90 ms |
| --- | --- |
| \`--runtime bunbox\` | ${med(samples.bunbox!).toFixed(0)} / ${percentile(samples.bunbox!, 90).toFixed(0)} |
| \`--runtime runc\` | ${med(samples.runc!).toFixed(0)} / ${percentile(samples.runc!, 90).toFixed(0)} |
| bunbox / runc | ${(med(samples.bunbox!) / med(samples.runc!)).toFixed(2)}× |`);
