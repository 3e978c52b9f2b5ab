// Docker's default /dev: the character devices every program expects, and the usual symlinks.
import type { Step } from "./steps.ts";

const NODES: [string, number, number][] = [
  ["null", 1, 3], ["zero", 1, 5], ["full", 1, 7], ["random", 1, 8], ["urandom", 1, 9], ["tty", 5, 0],
];
const LINKS: [string, string][] = [
  ["/dev/fd", "/proc/self/fd"], ["/dev/stdin", "/proc/self/fd/0"], ["/dev/stdout", "/proc/self/fd/1"],
  ["/dev/stderr", "/proc/self/fd/2"], ["/dev/ptmx", "pts/ptmx"],
];

/** kcore: the host has /proc/kcore; as runc, /dev/core links to it only then (else it dangles). */
export function planDevices(kcore = true): Step[] {
  const links: [string, string][] = kcore ? [...LINKS, ["/dev/core", "/proc/kcore"]] : LINKS;
  return [
    ...NODES.map(([name, major, minor]): Step => ({
      kind: "mknod", path: `/dev/${name}`, type: "c", major, minor, mode: 0o666, uid: 0, gid: 0,
      concept: "filesystem", why: `/dev/${name} (${major}:${minor}), allowed by the device cgroup`,
    })),
    ...links.map(([path, target]): Step => ({ kind: "symlink", path, target, concept: "filesystem", why: "standard /dev link" })),
  ];
}
