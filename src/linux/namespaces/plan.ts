// OCI namespace types ↔ clone flags.
import { CLONE } from "../../sys/constants.ts";
import type { Step } from "../steps.ts";

export const NS_FLAGS: Record<string, number> = {
  pid: CLONE.NEWPID, network: CLONE.NEWNET, mount: CLONE.NEWNS, ipc: CLONE.NEWIPC,
  uts: CLONE.NEWUTS, user: CLONE.NEWUSER, cgroup: CLONE.NEWCGROUP, time: CLONE.NEWTIME,
};

const NS_REASON: Record<string, string> = {
  mount: "own mounts", uts: "hostname", ipc: "IPC", network: "network", cgroup: "cgroup view", pid: "process ids", time: "clocks",
};

export function describeCloneFlags(flags: number): string {
  const names = Object.entries(CLONE).filter(([, bit]) => (flags & bit) !== 0).map(([n]) => `CLONE_${n}`);
  return names.join("|") || "0";
}

/** The namespaces the init stage unshares itself (pid is made by the parent, before spawning init). */
export function planUnshare(namespaces: { type: string; path?: string }[]): Step[] {
  const own = namespaces.filter((n) => !n.path && n.type !== "pid" && n.type !== "user");
  const order = ["mount", "uts", "ipc", "network", "cgroup", "time"];
  own.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  if (own.length === 0) return [];
  const flags = own.reduce((f, n) => f | NS_FLAGS[n.type]!, 0);
  return [{ kind: "unshare", flags, concept: "namespaces", why: own.map((n) => NS_REASON[n.type]).join(", ") }];
}
