// `exec [--process FILE | flags] [--detach] [--pid-file F] [--console-socket S] ID [CMD ARGS…]`:
// a new process in a running container, validated by the same schema as config.json's process.
import { readFileSync } from "../../sys/files.ts";
import { parseFlags, str, bool, list } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { ociExec } from "../../runtime/oci/exec.ts";
import { readBundleSpec } from "../../runtime/oci/bundle.ts";
import { parseProcess, type Process } from "../../config/schema.ts";
import { RuntimeError } from "../../runtime/errors.ts";

const EXEC_FLAGS = {
  process: { value: true, alias: ["p"] },
  detach: { alias: ["d"] },
  "pid-file": { value: true },
  "console-socket": { value: true },
  tty: { alias: ["t"] },
  cwd: { value: true },
  env: { value: true, multi: true, alias: ["e"] },
  user: { value: true, alias: ["u"] },
  "additional-gids": { value: true, multi: true, alias: ["g"] },
  cap: { value: true, multi: true, alias: ["c"] },
  "no-new-privs": {},
  "preserve-fds": { value: true },
  "process-label": { value: true },
  apparmor: { value: true },
  ignore_paused: {},
  cgroup: { value: true, multi: true },
};

export const exec: Subcommand = async (args, env) => {
  const { flags, positional } = parseFlags(args, EXEC_FLAGS);
  const [id, ...command] = positional;
  if (!id) throw new RuntimeError("\"missing argument\": exec needs a container id", 1);
  const file = str(flags.process);
  let proc: Process;
  if (file) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8"));
    } catch (e) {
      throw new RuntimeError(`read process ${file}: ${(e as Error).message}`, 1);
    }
    proc = parseProcess(json, file);
  } else {
    if (command.length === 0) throw new RuntimeError("exec args cannot be empty", 1);
    const rec = env.store.get(id);
    const base = readBundleSpec(rec.bundle).process ?? ({ cwd: "/", user: { uid: 0, gid: 0 } } as Process);
    proc = { ...base, args: command, terminal: bool(flags.tty) };
    const cwd = str(flags.cwd);
    if (cwd) proc.cwd = cwd;
    proc.env = [...(base.env ?? []), ...list(flags.env)];
    const user = str(flags.user);
    if (user) {
      const [uid, gid] = user.split(":");
      if (!/^\d+$/.test(uid!) || (gid !== undefined && !/^\d+$/.test(gid))) throw new RuntimeError(`invalid --user ${user}: expected UID[:GID]`, 1);
      proc.user = { uid: Number(uid), gid: Number(gid ?? 0) };
    }
    const gids = list(flags["additional-gids"]).map(Number);
    if (gids.length) proc.user = { ...proc.user, additionalGids: gids };
    const caps = list(flags.cap);
    if (caps.length) {
      const c = proc.capabilities ?? {};
      const add = (set?: string[]) => [...new Set([...(set ?? []), ...caps])];
      proc.capabilities = { ...c, bounding: add(c.bounding), effective: add(c.effective), permitted: add(c.permitted), ambient: add(c.ambient) };
    }
    if (bool(flags["no-new-privs"])) proc.noNewPrivileges = true;
    const apparmor = str(flags.apparmor);
    if (apparmor) proc.apparmorProfile = apparmor;
  }
  return ociExec({
    id, process: proc, detach: bool(flags.detach), pidFile: str(flags["pid-file"]), consoleSocket: str(flags["console-socket"]),
  }, env.deps());
};
