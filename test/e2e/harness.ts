// Runs the compiled dist/bunbox as root in a fixed environment, with all state in a temp root,
// and normalises what changes from run to run (ids, temp paths, pids) for golden comparison.
import { mkdtempSync, rmSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";

export const BIN = `${import.meta.dir}/../../dist/bunbox`;
/**
 * How many times slower than a host this machine runs bunbox: the VMs under qemu's TCG are (their
 * guest sets BUNBOX_E2E_SLOW). Test timeouts and polling stretch by it; what a test asserts does not.
 */
export const SLOW = Number(process.env.BUNBOX_E2E_SLOW) || 1;

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'bun run build' first (npm test does)`);

export interface Result { code: number; stdout: string; stderr: string }

export class Sandbox {
  readonly root = mkdtempSync(`${tmpdir()}/bunbox-e2e-`);

  run(args: string[], opts: { stdin?: string; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Result {
    const r = Bun.spawnSync([BIN, ...args], {
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1", TZ: "UTC", BUNBOX_ROOT: this.root, ...opts.env },
      stdin: opts.stdin !== undefined ? Buffer.from(opts.stdin) : "ignore",
      cwd: opts.cwd,
      timeout: opts.timeoutMs ?? 30_000 * SLOW,
    });
    return { code: r.exitCode ?? 128 + (r.signalCode ? 9 : 0), stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  /** Runs bunbox and returns its stdout; a non-zero exit fails the test with bunbox's stderr. */
  ok(args: string[], opts?: Parameters<Sandbox["run"]>[1]): string {
    const r = this.run(args, opts);
    if (r.code !== 0) throw new Error(`bunbox ${args.join(" ")}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** `bunbox run --rm busybox …` */
  box(args: string[], opts?: Parameters<Sandbox["run"]>[1]): Result {
    return this.run(["run", "--rm", ...args], opts);
  }

  /** Replaces this sandbox's paths and 64/12-hex ids with placeholders. */
  normalise(text: string): string {
    return text
      .replaceAll(this.root, "<ROOT>")
      .replace(/\b[0-9a-f]{64}\b/g, "<ID>")
      .replace(/\b[0-9a-f]{12}\b/g, "<SHORTID>");
  }

  /** Containers left behind in state (should be none after --rm runs). */
  leftovers(): string[] {
    const dirs = [`${this.root}/containers`, `${this.root}/run`];
    return dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((n) => n !== "names" && n !== "seccomp").map((n) => `${d}/${n}`) : []));
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
