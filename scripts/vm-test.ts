#!/usr/bin/env bun
// The e2e tests inside VMs with cgroup v2 only, where bunbox runs exactly as a user types it:
//   bare     Debian's kernel with a busybox initramfs and no systemd (scripts/vm/vm-run.sh); the
//            tests run from a non-root cgroup that holds other processes (test/vm/guest.sh)
//   login    Debian 12 with systemd as PID 1 and AppArmor (scripts/vm/systemd-vm.sh), from root's
//            autologin shell: user.slice/user-0.slice/session-N.scope, as an ssh login on Ubuntu
//   service  the same VM, from a systemd service (system.slice/vmrun.service)
// Each test file runs and is timed on its own; the last line is "vm-test MODE: N passed, N failed"
// (a VM that fails to boot or times out is a failure, said loudly). Exits 0 only if all passed.
//
//   bun scripts/vm-test.ts [--mode bare|login|service] [test files…]   (default: the mode's set)
// Env: VM_BUILD=0 (use dist/ as it is), VM_CACHE, VM_TIMEOUT, VM_MEM, VM_DEBUG=1 (see the scripts).
import { mkdtempSync, mkdirSync, linkSync, copyFileSync, rmSync, existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ROOT } from "./lib/util.ts";
import { buildProbe } from "./build-probe.ts";

// What a user meets: running containers, their limits, the everyday verbs, the talk, --explain,
// AppArmor, and the attacks a container must not get away with.
const USER_SET = ["run", "cgroups", "lifecycle", "talk", "explain", "apparmor", "attacks"]
  .map((n) => `test/e2e/${n}.test.ts`).filter((f) => existsSync(join(ROOT, f)));
const MODES = {
  bare: { run: ["scripts/vm/vm-run.sh"], tests: ["test/e2e/cgroups.test.ts"], mem: "2G", timeout: "900" },
  // (6G: lifecycle's 20 concurrent run -d/exec loops hold some 60 Bun processes at once)
  // (3600 s: lifecycle and attacks took 10 and 19 min of a 30-min run on a loaded host)
  login: { run: ["scripts/vm/systemd-vm.sh"], tests: USER_SET, mem: "6G", timeout: "3600" },
  service: { run: ["scripts/vm/systemd-vm.sh", "--service"], tests: ["test/e2e/cgroups.test.ts"], mem: "3G", timeout: "900" },
} as const;
// Everything the test files read besides themselves: the binary, the probe, the image, fixtures,
// goldens, and the sources run.test.ts and attacks.test.ts import.
const STAGE = ["dist/bunbox", "dist/probe", "dist/minimal", "fixtures/seccomp", "dist/busybox.tar.zst", "test/e2e/harness.ts", "test/e2e/runc-harness.ts", "test/golden.ts", "test/vm/guest.sh",
  "test/golden", "fixtures/probe", "scripts/build-probe.ts", "scripts/lib", "src"];

const argv = process.argv.slice(2);
const m = argv[0] === "--mode" ? argv.splice(0, 2)[1] : "bare";
if (!(m! in MODES)) { console.error(`vm-test: --mode bare|login|service, not ${m}`); process.exit(2); }
const mode = m as keyof typeof MODES;
const conf = MODES[mode];
const tests = argv.length ? argv : [...conf.tests];

const t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
/** The closing line CI counts: a VM that never reported counts as one failure. */
async function finish(passed: number, failed: number, code: number): Promise<never> {
  await Bun.write(Bun.stdout, `vm-test ${mode}: ${passed} passed, ${failed} failed\n`);
  process.exit(code);
}

if (!existsSync(join(ROOT, "dist/bunbox")) || process.env.VM_BUILD !== "0") {
  const b = Bun.spawnSync([process.execPath, join(ROOT, "scripts/build.ts")], { cwd: ROOT, stdio: ["inherit", "inherit", "inherit"] });
  if (b.exitCode !== 0) { console.error("vm-test: FAILED: build failed"); await finish(0, 1, 125); }
}
await buildProbe(); // the VMs have no compiler: the static probe is built here

const stage = mkdtempSync("/var/tmp/bunbox-vm-files-");
let code = 125;
let out = "";
try {
  const put = (rel: string) => {
    const src = join(ROOT, rel);
    if (statSync(src).isDirectory()) return readdirSync(src).forEach((n) => put(join(rel, n)));
    const dst = join(stage, rel);
    mkdirSync(dirname(dst), { recursive: true });
    try { linkSync(src, dst); } catch { copyFileSync(src, dst); }  // (a link keeps the probe's mtime: no rebuild)
  };
  [...STAGE, ...tests].forEach((f) => existsSync(join(ROOT, f)) && put(relative(ROOT, join(ROOT, f))));

  console.error(`vm-test ${mode}: booting (${tests.length} test files staged in ${secs()} s)`);
  const vm = Bun.spawn(["bash", ...conf.run.map((a, i) => (i ? a : join(ROOT, a))), "--files", stage, "--", "/bin/sh", "test/vm/guest.sh", mode, ...tests], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, VM_TIMEOUT: process.env.VM_TIMEOUT ?? conf.timeout, VM_MEM: process.env.VM_MEM ?? conf.mem },
  });
  // stdout streams through; its copy gives the guest's closing count
  const dec = new TextDecoder();
  // (each write awaited, so the closing line comes last and once: process.stdout.write once printed it twice)
  for await (const chunk of vm.stdout) { await Bun.write(Bun.stdout, chunk); out += dec.decode(chunk, { stream: true }); }
  code = (await vm.exited) ?? 125;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const counts = new RegExp(`^vm ${mode}: (\\d+) passed, (\\d+) failed$`, "m").exec(out);
if (!counts) {
  const why = code === 124 ? "the VM timed out" : code === 125 ? "the VM did not run the tests (see the console above)" : `the guest exited ${code} without a count`;
  console.error(`vm-test ${mode}: FAILED: ${why} (${secs()} s)`);
  await finish(0, 1, code || 125);
}
console.error(`vm-test ${mode}: guest exited ${code}, ${secs()} s in all`);
await finish(Number(counts[1]), Number(counts[2]), code);
