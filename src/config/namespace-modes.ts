// --ipc and --pid as Docker takes them: a namespace of the container's own, the host's, or
// another container's (joined by its /proc/<pid>/ns/<type> path, the OCI spec's namespace `path`).
// Parsing is here; finding the other container (its record, whether it runs) is the CLI's.
import { UsageError } from "./errors.ts";

export type IpcMode = "private" | "shareable" | "none" | "host" | { container: string };
export type PidMode = "private" | "host" | { container: string };

/** Docker's IpcMode.Valid(): "", none, private, shareable, host, container:NAME. */
export function parseIpcMode(text: string | undefined): IpcMode {
  if (text === undefined || text === "" || text === "private") return "private";
  if (text === "shareable" || text === "none" || text === "host") return text;
  const name = containerRef(text);
  if (name === undefined) throw new UsageError("--ipc: invalid IPC mode");
  return { container: name };
}

/** Docker's PidMode.Valid(): "", host, container:NAME. */
export function parsePidMode(text: string | undefined): PidMode {
  if (text === undefined || text === "") return "private";
  if (text === "host") return "host";
  const name = containerRef(text);
  if (name === undefined) throw new UsageError("--pid: invalid PID mode");
  return { container: name };
}

function containerRef(text: string): string | undefined {
  if (!text.startsWith("container:")) return undefined;
  const name = text.slice("container:".length);
  return name === "" || name.includes(":") ? undefined : name;
}

/** The namespaces' OCI entries: none for the host's, a path for another container's. */
export interface NamespaceChoice {
  /** host: no entry (the host's namespace); a path: joined; else a new one. */
  ipc: "new" | "host" | { path: string };
  pid: "new" | "host" | { path: string };
}
