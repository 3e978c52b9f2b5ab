#!/usr/bin/env bun
// Times building Docker's default seccomp filter: resolve the profile for the default
// capabilities, then compile it to BPF — what `bunbox run` pays per container without a cache.
//
//   bun scripts/bench-seccomp.ts [--arch x86_64|aarch64] [--iterations 200]
import { parseArgs } from "node:util";
import { compileSeccomp } from "../src/linux/seccomp/compile.ts";
import { DOCKER_DEFAULT_CAPS, defaultSeccomp } from "../src/config/docker-seccomp.ts";
import { percentile } from "./lib/util.ts";

const { values } = parseArgs({ options: { arch: { type: "string" }, iterations: { type: "string" } } });
const arch = (values.arch ?? (process.arch === "arm64" ? "aarch64" : "x86_64")) as "x86_64" | "aarch64";
const iterations = Number(values.iterations ?? 200);
const TARGET_MS = 5;

const once = () => compileSeccomp(defaultSeccomp(arch, DOCKER_DEFAULT_CAPS), arch);

// Warm-up: let JSC tier the compiler up, as a long-lived daemon would; the first (cold) call
// is reported on its own because `bunbox run` is a fresh process each time.
let t = performance.now();
const first = once();
const cold = performance.now() - t;
for (let i = 0; i < 300; i++) once();

// Wall time is what a container start pays; CPU time (this process, all threads) is shown too
// because on a shared, loaded machine the wall p99 mostly measures the scheduler.
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < iterations; i++) {
  const c0 = process.cpuUsage();
  t = performance.now();
  once();
  wall.push(performance.now() - t);
  const c1 = process.cpuUsage(c0);
  cpu.push((c1.user + c1.system) / 1000);
}
const fmt = (xs: number[]) => `median ${percentile(xs, 50).toFixed(3)} ms, p99 ${percentile(xs, 99).toFixed(3)} ms`;
console.log(`seccomp ${arch}: ${first.program.length / 8} instructions, ${first.allowed} names allowed`);
console.log(`cold (first call in a fresh process): ${cold.toFixed(3)} ms`);
console.log(`${iterations} runs after warm-up: wall ${fmt(wall)}; cpu ${fmt(cpu)} (target < ${TARGET_MS} ms)`);
if (percentile(wall, 50) >= TARGET_MS) process.exitCode = 1;
