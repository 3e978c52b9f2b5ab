#!/usr/bin/env bun
// npm test: build, then bun test over test/, then one plain closing line
// "N passed, N failed" for CI. Extra args go to bun test (e.g. a path filter).
//
//   bun scripts/test.ts [bun test args...]
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ROOT, aptEnsure } from "./lib/util.ts";
import { buildProbe } from "./build-probe.ts";

// What the suite drives besides bunbox (a fresh machine has node and apt only): gcc and the
// static libc for the attack probe, tmux for the pty test, python3 for the console-socket test.
// (containerd/docker.io: test/e2e/engines.test.ts installs them itself; qemu: scripts/vm-test.ts.)
if (process.getuid?.() === 0) {
  await aptEnsure({ gcc: "gcc", tmux: "tmux", python3: "python3" });
  if (!existsSync("/usr/lib/x86_64-linux-gnu/libc.a") && !existsSync("/usr/lib/aarch64-linux-gnu/libc.a")) await aptEnsure({ "__libc.a": "libc6-dev" });
}

const build = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "build.ts")], {
  cwd: ROOT,
  stdio: ["inherit", "inherit", "inherit"],
});
if (build.exitCode !== 0) {
  // No test can run without dist/; count the build as the one failure.
  console.log("build failed\n0 passed, 1 failed");
  process.exit(build.exitCode || 1);
}

// The attack tests' probe (a static C fixture; cached in dist/ until probe.c changes).
try {
  await buildProbe();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  console.log("probe build failed\n0 passed, 1 failed");
  process.exit(1);
}

const proc = Bun.spawn([process.execPath, "test", "--timeout", "120000", ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: ["inherit", "inherit", "pipe"],
});

// bun test writes results and its " N pass" / " N fail" summary to stderr:
// stream it through untouched and keep a copy to read the counts from.
let log = "";
const decoder = new TextDecoder();
for await (const chunk of proc.stderr) {
  process.stderr.write(chunk);
  log += decoder.decode(chunk, { stream: true });
}
const code = await proc.exited;

// The summary comes last, so take the last match in case a test printed a look-alike.
const count = (word: string) => Number([...log.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, "gm"))].at(-1)?.[1] ?? 0);
// stdout, so it is the last line whatever interleaving the terminal shows.
console.log(`${count("pass")} passed, ${count("fail")} failed`);
process.exit(code ?? 1);
