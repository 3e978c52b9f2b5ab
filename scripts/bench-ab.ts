#!/usr/bin/env bun
// An interleaved A/B of two bunbox binaries (before and after a change), for commit messages:
// the same command run by each in turn, the order alternating every round, so drift in the
// machine's load hits both alike. Prints each one's median and p90 and the ratio B/A.
//
//   bun scripts/bench-ab.ts [--runs 40] A/bunbox B/bunbox [-- ARGS...]
// ARGS default to `run --rm busybox true`; each binary gets a --root of its own (its embedded
// image is imported there by a warm-up run), put first unless ARGS place it: {root} in ARGS is
// that directory, {id} a new name each run (runc run's container id). Needs root. Run it on a quiet machine: with two
// cores, anything else running multiplies process start times.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { percentile } from "./lib/util.ts";

const dash = process.argv.indexOf("--");
const { values, positionals } = parseArgs({ args: process.argv.slice(2, dash < 0 ? undefined : dash), options: { runs: { type: "string" } }, allowPositionals: true });
const [a, b] = positionals;
if (!a || !b) {
  console.error("usage: bun scripts/bench-ab.ts [--runs N] A_BINARY B_BINARY [-- ARGS...]");
  process.exit(2);
}
const args = dash < 0 ? ["run", "--rm", "busybox", "true"] : process.argv.slice(dash + 1);
const runs = Number(values.runs ?? 40);
const roots = [mkdtempSync(join(tmpdir(), "bunbox-ab-a-")), mkdtempSync(join(tmpdir(), "bunbox-ab-b-"))];
process.on("exit", () => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

const binaries = [a, b];
let runId = 0;
function once(i: number): number {
  const filled = args.map((a) => a.replaceAll("{root}", roots[i]!).replaceAll("{id}", `ab-${process.pid}-${runId++}`));
  const cmd = args.some((a) => a.includes("{root}")) ? [binaries[i]!, ...filled] : [binaries[i]!, "--root", roots[i]!, ...filled];
  const t = performance.now();
  const r = Bun.spawnSync(cmd, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`${binaries[i]} ${args.join(" ")}: exit ${r.exitCode}: ${r.stderr.toString().trim()}`);
  return ms;
}

for (let w = 0; w < 3; w++) [0, 1].forEach(once);
const samples: number[][] = [[], []];
for (let round = 0; round < runs; round++) {
  for (const i of round % 2 ? [1, 0] : [0, 1]) samples[i]!.push(once(i));
}
const med = (xs: number[]) => percentile(xs, 50);
for (const [i, name] of ["A", "B"].entries()) {
  console.log(`${name} ${binaries[i]}: median ${med(samples[i]!).toFixed(1)} ms, p90 ${percentile(samples[i]!, 90).toFixed(1)} ms`);
}
console.log(`B/A ${(med(samples[1]!) / med(samples[0]!)).toFixed(3)} (${runs} interleaved runs each of: ${args.join(" ")})`);
