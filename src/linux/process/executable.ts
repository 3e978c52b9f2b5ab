// Finding the user's program inside the container before execve, so that "not found" (127) and
// "cannot execute" (126) are decided, and worded as Docker words them, before anything runs.
import type { Sys } from "../../sys/sys.ts";
import { X_OK } from "../../sys/constants.ts";

/** The calls that look at the container's files. */
type Lookup = Pick<Sys, "stat" | "access">;
import { BunboxError } from "../../errors.ts";

/** The user's program cannot be run: 127 not found, 126 found but not executable (Docker's statuses). */
export class ExecError extends BunboxError {
  constructor(message: string, override readonly exitCode: 126 | 127) {
    super(message, exitCode);
  }
}

export function resolveExecutable(sys: Lookup, arg0: string, env: string[]): string {
  if (arg0 === "") throw new ExecError(`exec: no command given`, 127);
  if (arg0.includes("/")) {
    check(sys, arg0, arg0);
    return arg0;
  }
  const path = env.find((e) => e.startsWith("PATH="))?.slice(5) ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const dir of path.split(":")) {
    const candidate = `${dir || "."}/${arg0}`;
    try {
      const st = sys.stat(candidate);
      if (st.isFile() && sys.access(candidate, X_OK)) return candidate;
    } catch { /* keep looking */ }
  }
  throw new ExecError(`exec: "${arg0}": executable file not found in $PATH`, 127);
}

function check(sys: Lookup, path: string, arg0: string): void {
  let st;
  try {
    st = sys.stat(path);
  } catch {
    throw new ExecError(`exec: "${arg0}": stat ${path}: no such file or directory`, 127);
  }
  if (st.isDirectory()) throw new ExecError(`exec: "${arg0}": is a directory`, 126);
  if (!sys.access(path, X_OK)) throw new ExecError(`exec: "${arg0}": permission denied`, 126);
}
