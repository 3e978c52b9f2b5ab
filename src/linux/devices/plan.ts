// Docker's default /dev: the character devices every program expects, and the usual symlinks.
import type { Step } from "../steps.ts";

const NODES: [string, number, number][] = [
  ["null", 1, 3], ["zero", 1, 5], ["full", 1, 7], ["random", 1, 8], ["urandom", 1, 9], ["tty", 5, 0],
];
const LINKS: [string, string][] = [
  ["/dev/fd", "/proc/self/fd"], ["/dev/stdin", "/proc/self/fd/0"], ["/dev/stdout", "/proc/self/fd/1"],
  ["/dev/stderr", "/proc/self/fd/2"], ["/dev/ptmx", "pts/ptmx"],
];

/**
 * kcore: the host has /proc/kcore; as runc, /dev/core links to it only then (else it dangles).
 * userns: mknod is refused in a user namespace, so the host's nodes are bound instead (as runc).
 */
export function planDevices(kcore = true, userns = false): Step[] {
  const links: [string, string][] = kcore ? [...LINKS, ["/dev/core", "/proc/kcore"]] : LINKS;
  return [
    ...NODES.map(([name, major, minor]): Step => deviceNode({ path: `/dev/${name}`, type: "c", major, minor, mode: 0o666, uid: 0, gid: 0 }, `/dev/${name} (${major}:${minor}), allowed by the device cgroup`, userns)),
    ...links.map(([path, target]): Step => ({ kind: "symlink", path, target, concept: "filesystem", why: "standard /dev link" })),
  ];
}

export interface DeviceNode { path: string; type: "c" | "b" | "p"; major: number; minor: number; mode: number; uid: number; gid: number }

/** A node made with mknod, or in a user namespace the host's node of the same path bound over an empty file. */
export function deviceNode(d: DeviceNode, why: string, userns: boolean): Step {
  if (!userns || d.type === "p") return { kind: "mknod", ...d, concept: "filesystem", why };
  return { kind: "bind", source: d.path, target: d.path, recursive: false, flags: 0, propagation: 0, concept: "filesystem", why: `${why}: the host's node, bound (no mknod in a user namespace)` };
}
