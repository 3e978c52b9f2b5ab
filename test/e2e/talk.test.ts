// The README's talk script: a dozen one-liners, each showing one concept, run for real and
// compared with golden files (the README quotes these outputs).
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, existsSync } from "node:fs";
import { Sandbox, BIN, SLOW } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
afterAll(() => sb.cleanup());
// `bunbox` on the PATH of the one-liners, as a presenter would have it
const binDir = `${sb.root}/bin`;
mkdirSync(binDir, { recursive: true });
if (!existsSync(`${binDir}/bunbox`)) symlinkSync(BIN, `${binDir}/bunbox`);

const mode = existsSync("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1";

const LINES: [string, string][] = [
  ["pid-namespace", "bunbox run --rm busybox ps"],
  ["hostname", "bunbox run --rm -h talk busybox hostname"],
  ["copy-on-write", "bunbox run --rm busybox sh -c 'echo changed > /etc/motd; cat /etc/motd'; bunbox run --rm busybox cat /etc/motd"],
  ["network-namespace", "bunbox run --rm busybox ip -o addr"],
  ["memory-limit", "bunbox run --rm -m 64m busybox tail /dev/zero; echo exit=$?"],
  ["pids-limit", "bunbox run --rm --pids-limit 64 busybox sh -c 'for i in $(seq 100); do sleep 5 & done 2>&1 | sort -u | head -1'"],
  ["cpu-quota", `bunbox run --rm --cpus 0.5 busybox cat ${mode === "v2" ? "/sys/fs/cgroup/cpu.max" : "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"}`],
  ["capabilities", "bunbox run --rm busybox grep CapEff /proc/self/status; bunbox run --rm --cap-drop ALL busybox grep CapEff /proc/self/status"],
  ["seccomp", "bunbox run --rm busybox unshare -u hostname hacked; echo exit=$?"],
  ["user", "bunbox run --rm -u nobody busybox id"],
  ["user-namespace", "bunbox run -d --name talk --userns auto busybox sleep 60 >/dev/null; bunbox exec talk id; grep Uid /proc/$(bunbox inspect -f '{{.State.Pid}}' talk)/status; bunbox rm -f talk >/dev/null"],
  ["layers", "bunbox run --rm busybox head -1 /proc/self/mountinfo | cut -d' ' -f5,9"],
  ["explain", "bunbox run --rm --explain busybox true 2>&1 | grep -E '^(namespaces|process) '"],
];

for (const [name, line] of LINES) {
  test(`${name}: ${line}`, () => {
    const r = Bun.spawnSync(["sh", "-c", `(${line}) 2>&1`], { env: { PATH: `${binDir}:/usr/bin:/bin`, BUNBOX_ROOT: sb.root, NO_COLOR: "1" } });
    const out = sb.normalise(r.stdout.toString())
      .replace(/container [a-z]+_[a-z]+\d* was killed/, "container <NAME> was killed")
      .replace(/= \d+  #/, "= <PID>  #")
      .replace(/execve\("true", \["true"\]\)/, 'execve("true", ["true"])');
    expect(`$ ${line}\n${out}`).toBe(golden(`talk/${name}${name === "cpu-quota" ? `-${mode}` : ""}.txt`, `$ ${line}\n${out}`));
  }, 30_000 * SLOW);
}
