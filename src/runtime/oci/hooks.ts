// OCI hooks: each is a program run with the container's state JSON on stdin, with an optional
// timeout in seconds. A failing prestart/createRuntime/createContainer/startContainer hook fails
// the operation; poststart and poststop failures are only logged (as runc does).
import type { Hook } from "../../config/schema.ts";
import type { OciState } from "./state.ts";
import { RuntimeError } from "../errors.ts";

export type HookKind = "prestart" | "createRuntime" | "createContainer" | "startContainer" | "poststart" | "poststop";

export async function runHooks(kind: HookKind, hooks: Hook[] | undefined, state: OciState): Promise<void> {
  for (const [i, hook] of (hooks ?? []).entries()) {
    const args = hook.args?.length ? hook.args : [hook.path];
    const env = Object.fromEntries((hook.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    let proc;
    try {
      proc = Bun.spawn([hook.path, ...args.slice(1)], { argv0: args[0], env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    } catch (e) {
      throw new RuntimeError(`error running ${kind} hook #${i}: ${(e as Error).message}`, 1);
    }
    // A hook need not read its stdin (and may exit first): EPIPE there is not the hook's failure
    try {
      proc.stdin.write(JSON.stringify(state));
      await Promise.resolve(proc.stdin.end()).catch(() => {});
    } catch { /* EPIPE */ }
    const timeout = hook.timeout ? setTimeout(() => { try { proc.kill(9); } catch { /* gone */ } }, hook.timeout * 1000) : undefined;
    const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    if (timeout) clearTimeout(timeout);
    if (proc.signalCode === "SIGKILL" && hook.timeout) throw new RuntimeError(`error running ${kind} hook #${i}: timeout after ${hook.timeout}s`, 1);
    if (code !== 0) {
      throw new RuntimeError(`error running ${kind} hook #${i}: exit status ${code}, stdout: ${out.trim()}, stderr: ${err.trim()}`, 1);
    }
  }
}

/**
 * The same, synchronous, for the init stage: createContainer hooks (in the container's
 * namespaces, before pivot_root) and startContainer hooks (in the container, right before the
 * program). Bun.spawnSync forks from the calling (main) thread, so the hook is born in the
 * namespaces this stage has entered.
 */
export function runHooksSync(kind: HookKind, hooks: Hook[] | undefined, state: unknown): void {
  for (const [i, hook] of (hooks ?? []).entries()) {
    const args = hook.args?.length ? hook.args : [hook.path];
    const env = Object.fromEntries((hook.env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    let r;
    try {
      r = Bun.spawnSync([hook.path, ...args.slice(1)], {
        argv0: args[0], env, stdin: Buffer.from(JSON.stringify(state)), stdout: "pipe", stderr: "pipe",
        ...(hook.timeout ? { timeout: hook.timeout * 1000 } : {}),
      });
    } catch (e) {
      throw new RuntimeError(`error running ${kind} hook #${i}: ${(e as Error).message}`, 1);
    }
    if (r.signalCode && hook.timeout) throw new RuntimeError(`error running ${kind} hook #${i}: timeout after ${hook.timeout}s`, 1);
    if (r.exitCode !== 0) {
      throw new RuntimeError(`error running ${kind} hook #${i}: exit status ${r.exitCode}, stdout: ${r.stdout.toString().trim()}, stderr: ${r.stderr.toString().trim()}`, 1);
    }
  }
}
