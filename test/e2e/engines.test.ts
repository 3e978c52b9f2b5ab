// The acceptance test of the OCI runtime mode: Debian's dockerd and containerd, started offline
// by scripts/engines/start.sh (which installs them with apt when missing), with dist/bunbox
// registered as a runtime. Skipped, saying why, only where they cannot be installed.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { BIN } from "./harness.ts";
import { BUSYBOX_ZST } from "./runc-harness.ts";

const SCRIPTS = resolve(`${import.meta.dir}/../../scripts/engines`);
const RUNTIME = resolve(BIN);
// Short: containerd's socket path must fit a sockaddr_un
const ENGINE_DIR = mkdtempSync(`${tmpdir()}/bbx-eng-`);
const ENV = { ...process.env, ENGINE_DIR, DOCKER_HOST: `unix://${ENGINE_DIR}/docker.sock` };
const IMAGE = "bunbox-busybox:e2e";

function sh(cmd: string[], opts: { timeoutMs?: number; stdin?: string } = {}) {
  const r = Bun.spawnSync(cmd, { env: ENV, stdin: opts.stdin !== undefined ? Buffer.from(opts.stdin) : "ignore", timeout: opts.timeoutMs ?? 60_000 });
  return { code: r.exitCode ?? 128, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const start = sh(["bash", `${SCRIPTS}/start.sh`, "--add-runtime", `bunbox=${RUNTIME}`], { timeoutMs: 300_000 });
const installed = Bun.which("dockerd") !== null && Bun.which("containerd") !== null && existsSync("/usr/bin/docker");
if (!installed) console.warn(`engines.test.ts skipped: apt could not install containerd and docker.io here:\n${start.stderr.slice(-2000)}`);
else if (start.code !== 0) throw new Error(`scripts/engines/start.sh failed (exit ${start.code}):\n${start.stdout}\n${start.stderr}`);

afterAll(() => {
  sh(["bash", `${SCRIPTS}/stop.sh`], { timeoutMs: 120_000 });
  rmSync(ENGINE_DIR, { recursive: true, force: true });
});

const docker = (args: string[], opts?: Parameters<typeof sh>[1]) => sh(["/usr/bin/docker", ...args], opts);
const dockerOk = (args: string[]) => {
  const r = docker(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};
const RUN = ["run", "--runtime", "bunbox", "--network", "none"];
const ctr = (args: string[]) => sh(["ctr", "--address", `${ENGINE_DIR}/containerd.sock`, "-n", "default", ...args]);

describe.skipIf(!installed)("Docker and containerd with bunbox as the OCI runtime", () => {
  test("the image (docker import of the busybox rootfs) and the runtime registered", () => {
    const tar = `${ENGINE_DIR}/busybox.tar`;
    writeFileSync(tar, Bun.zstdDecompressSync(readFileSync(BUSYBOX_ZST)));
    dockerOk(["import", tar, IMAGE]);
    expect(dockerOk(["info", "--format", "{{json .Runtimes}}"])).toContain("bunbox");
  });

  test("docker run echo hi; exit codes 3, 127, 126", () => {
    expect(dockerOk([...RUN, "--rm", IMAGE, "echo", "hi"])).toBe("hi\n");
    expect(docker([...RUN, "--rm", IMAGE, "sh", "-c", "exit 3"]).code).toBe(3);
    const missing = docker([...RUN, "--rm", IMAGE, "nosuchcmd"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    expect(docker([...RUN, "--rm", IMAGE, "/etc/passwd"]).code).toBe(126);
  });

  test("-d, logs, exec, top, pause/unpause, stats, update --memory, stop, kill, rm -f", async () => {
    const id = dockerOk([...RUN, "-d", IMAGE, "sh", "-c", "echo log-line; trap 'exit 0' TERM; while true; do sleep 0.2; done"]).trim();
    await Bun.sleep(300);
    expect(dockerOk(["logs", id])).toBe("log-line\n");
    expect(dockerOk(["exec", id, "sh", "-c", "echo exec-$((6*7))"])).toBe("exec-42\n");
    expect(docker(["exec", id, "sh", "-c", "exit 5"]).code).toBe(5);
    expect(dockerOk(["top", id])).toContain("while true");
    dockerOk(["pause", id]);
    expect(dockerOk(["inspect", "-f", "{{.State.Status}}", id]).trim()).toBe("paused");
    dockerOk(["unpause", id]);
    expect(dockerOk(["inspect", "-f", "{{.State.Status}}", id]).trim()).toBe("running");
    dockerOk(["update", "--memory", "64m", "--memory-swap", "128m", id]);
    expect(dockerOk(["stats", "--no-stream", "--format", "{{.MemUsage}}", id])).toContain("/ 64MiB");
    dockerOk(["stop", "-t", "5", id]);
    expect(dockerOk(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id]).trim()).toBe("exited 0");
    dockerOk(["rm", id]);

    const k = dockerOk([...RUN, "-d", IMAGE, "sleep", "100"]).trim();
    dockerOk(["kill", k]);
    expect(dockerOk(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", k]).trim()).toBe("exited 137");
    dockerOk(["rm", k]);
    const f = dockerOk([...RUN, "-d", IMAGE, "sleep", "100"]).trim();
    dockerOk(["rm", "-f", f]);
    expect(dockerOk(["ps", "-aq"])).toBe("");
  });

  test.skipIf(!Bun.which("script"))("-it through a pty: the container's own tty, input and exit status", () => {
    const r = sh(["script", "-qec", `/usr/bin/docker ${RUN.join(" ")} --rm -it ${IMAGE} sh`, "/dev/null"], { stdin: "tty; echo typed-$((6*7))\nexit 4\n", timeoutMs: 30_000 });
    const out = r.stdout.replace(/\r/g, "");
    expect(out).toContain("/dev/pts/0");
    expect(out).toContain("typed-42");
    expect(r.code).toBe(4);
  });

  test("ctr run --runc-binary", () => {
    const tar = `${ENGINE_DIR}/image.tar`;
    dockerOk(["save", IMAGE, "-o", tar]);
    expect(ctr(["images", "import", tar]).code).toBe(0);
    const ref = `docker.io/library/${IMAGE}`;
    const r = ctr(["run", "--rm", "--runc-binary", RUNTIME, ref, "bbx-ctr1", "echo", "hi-ctr"]);
    expect(r.stdout).toBe("hi-ctr\n");
    expect(r.code).toBe(0);
    expect(ctr(["run", "--rm", "--runc-binary", RUNTIME, ref, "bbx-ctr2", "sh", "-c", "exit 3"]).code).toBe(3);
  });
});
