// OCI bundles for the runc-mode tests: dist/busybox.tar.zst unpacked once per test file into a
// temp dir, config.json from `bunbox runc spec`, adjusted per test.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync, existsSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { BIN } from "./harness.ts";

export const BUSYBOX_ZST = `${import.meta.dir}/../../dist/busybox.tar.zst`;

export interface Result { code: number; stdout: string; stderr: string }

export class RuncSandbox {
  readonly dir = mkdtempSync(`${tmpdir()}/bunbox-runc-e2e-`);
  readonly root = `${this.dir}/state`;
  readonly rootfs = `${this.dir}/rootfs`;

  constructor() {
    mkdirSync(this.rootfs);
    writeFileSync(`${this.dir}/busybox.tar`, Bun.zstdDecompressSync(readFileSync(BUSYBOX_ZST)));
    const r = Bun.spawnSync(["tar", "-xf", `${this.dir}/busybox.tar`, "-C", this.rootfs]);
    if (r.exitCode !== 0) throw new Error(`tar: ${r.stderr}`);
    rmSync(`${this.dir}/busybox.tar`);
  }

  /** A bundle directory whose config.json is runc's example changed by `edit`. */
  bundle(name: string, edit: (spec: any) => void): string {
    const b = `${this.dir}/${name}`;
    mkdirSync(b, { recursive: true });
    const r = this.runc(["spec", "--bundle", b]);
    if (r.code !== 0) throw new Error(r.stderr);
    const spec = JSON.parse(readFileSync(`${b}/config.json`, "utf8"));
    spec.root = { path: this.rootfs, readonly: true };
    spec.process.terminal = false;
    edit(spec);
    writeFileSync(`${b}/config.json`, JSON.stringify(spec));
    return b;
  }

  /**
   * One call. `io`: a file that gets the process's (and so the container's) stdout and stderr,
   * for create/run -d, whose container keeps them open after the call returns.
   */
  runc(args: string[], opts: { stdin?: string; timeoutMs?: number; argv0?: string; io?: string } = {}): Result {
    if (opts.io) {
      const fd = openSync(opts.io, "a");
      try {
        const r = Bun.spawnSync([opts.argv0 ?? BIN, ...(opts.argv0 ? [] : ["runc"]), "--root", this.root, ...args], {
          env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", TZ: "UTC" }, stdio: ["ignore", fd, fd], timeout: opts.timeoutMs ?? 30_000,
        });
        return { code: r.exitCode ?? 128, stdout: "", stderr: readFileSync(opts.io, "utf8") };
      } finally {
        closeSync(fd);
      }
    }
    const r = Bun.spawnSync([opts.argv0 ?? BIN, ...(opts.argv0 ? [] : ["runc"]), "--root", this.root, ...args], {
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", TZ: "UTC" },
      stdin: opts.stdin !== undefined ? Buffer.from(opts.stdin) : "ignore",
      timeout: opts.timeoutMs ?? 30_000,
    });
    return { code: r.exitCode ?? 128, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  ok(args: string[], opts?: Parameters<RuncSandbox["runc"]>[1]): string {
    const r = this.runc(args, opts);
    if (r.code !== 0) throw new Error(`runc ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** Mount points under this sandbox in the host's mount table (none may outlive a container). */
  hostMounts(): string[] {
    return readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4] ?? "").filter((m) => m.startsWith(this.dir));
  }

  status(id: string): string {
    const r = this.runc(["state", id]);
    return r.code === 0 ? JSON.parse(r.stdout).status : `error: ${r.stderr.trim()}`;
  }

  cleanup(): void {
    if (existsSync(this.root)) for (const id of this.ok(["list", "-q"]).split("\n").filter(Boolean)) this.runc(["delete", "--force", id]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The host file of a container's cgroup: `controller` names the v1 hierarchy (v2: the unified one). */
export function cgroupFile(pid: number | string, controller: string, file: string): string {
  const cg = readFileSync(`/proc/${pid}/cgroup`, "utf8");
  const v1 = new RegExp(`^\\d+:[^:]*\\b${controller}\\b[^:]*:(.*)$`, "m").exec(cg)?.[1];
  return v1 !== undefined ? `/sys/fs/cgroup/${controller}${v1}/${file}` : `/sys/fs/cgroup${/^0::(.*)$/m.exec(cg)![1]}/${file}`;
}
