#!/usr/bin/env bun
// The cgroup e2e tests inside a cgroup-v2-only VM: Debian's kernel (linux-image-amd64, fetched by
// name with apt-get download and cached) under qemu with cgroup_no_v1=all, a busybox initramfs with
// glibc, dist/bunbox, and the test files. Exits with the tests' status (124 timeout, 125 the VM
// itself failed: then it says so, never silently).
//
//   bun scripts/vm-test.ts [bun test args…]      (default: test/e2e/cgroups.test.ts)
// Env: VM_CACHE (/var/tmp/bunbox-vm-cache), VM_TIMEOUT (600), VM_ACCEL (auto: TCG unless the CPU
// shows vmx/svm; /dev/kvm on a nested software hypervisor is far slower than TCG), VM_DEBUG=1.
import { mkdtempSync, mkdirSync, linkSync, copyFileSync, rmSync, existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import { ROOT } from "./lib/util.ts";

const FILES = [
  "dist/bunbox",
  "test/e2e/harness.ts",
  "test/e2e/cgroups.test.ts",
  "test/golden.ts",
  "test/vm/guest.sh",
];

const t0 = performance.now();
if (!existsSync(join(ROOT, "dist/bunbox")) || process.env.VM_BUILD !== "0") {
  const b = Bun.spawnSync([process.execPath, join(ROOT, "scripts/build.ts")], { cwd: ROOT, stdio: ["inherit", "inherit", "inherit"] });
  if (b.exitCode !== 0) { console.error("vm-test: build failed"); process.exit(125); }
}

const stage = mkdtempSync(join(existsSync("/var/tmp") ? "/var/tmp" : tmpdir(), "bunbox-vm-files-"));
try {
  const put = (rel: string) => {
    const dst = join(stage, rel);
    mkdirSync(dirname(dst), { recursive: true });
    try { linkSync(join(ROOT, rel), dst); } catch { copyFileSync(join(ROOT, rel), dst); }
  };
  FILES.forEach(put);
  const goldens = join(ROOT, "test/golden/cgroups");
  for (const f of readdirSync(goldens)) if (statSync(join(goldens, f)).isFile()) put(`test/golden/cgroups/${f}`);

  const args = process.argv.slice(2);
  const tests = args.length ? args : ["test/e2e/cgroups.test.ts"];
  console.error(`vm-test: booting a cgroup-v2-only VM (staged in ${Math.round(performance.now() - t0)} ms)`);
  const vm = Bun.spawn(["bash", join(ROOT, "scripts/vm/vm-run.sh"), "--files", stage, "--", "/bin/sh", "test/vm/guest.sh", ...tests], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, VM_TIMEOUT: process.env.VM_TIMEOUT ?? "600", VM_MEM: process.env.VM_MEM ?? "2G" },
  });
  const code = await vm.exited;
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  if (code === 124) console.error(`vm-test: FAILED: the VM timed out (${took} s)`);
  else if (code === 125) console.error(`vm-test: FAILED: the VM did not run the tests (see the console above) (${took} s)`);
  else console.error(`vm-test: tests exited ${code} in the v2 VM (${took} s in all)`);
  process.exitCode = code ?? 125;
} finally {
  rmSync(stage, { recursive: true, force: true });
}
