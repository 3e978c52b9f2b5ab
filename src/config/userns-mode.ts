// --userns, --uidmap, --gidmap: whether the container gets a user namespace, and its mappings.
//   --userns host (the default): none, as Docker runs containers without --userns-remap.
//   --userns auto: container ids 0-N are the host range /etc/subuid and /etc/subgid give root
//     (root:100000:65536, as Docker's userns-remap reads them), else 100000-165535. Every such
//     container shares that range, as under Docker's userns-remap.
//   --uidmap/--gidmap CONTAINER:HOST:SIZE (Podman's), repeatable; a --uidmap alone also maps gids.
import { UsageError } from "./errors.ts";

export interface IdMapping { containerID: number; hostID: number; size: number }
export interface UsernsChoice { uidMappings: IdMapping[]; gidMappings: IdMapping[] }

/** Without /etc/subuid's range for root: the range Docker's default remap user usually gets. */
export const AUTO_RANGE: IdMapping = { containerID: 0, hostID: 100000, size: 65536 };

export function parseUserns(flags: { userns?: string; uidmap: string[]; gidmap: string[] }, subordinate: { subuid?: string; subgid?: string }): UsernsChoice | undefined {
  const mode = flags.userns ?? "";
  if (mode !== "" && mode !== "host" && mode !== "auto") throw new UsageError(`--userns ${mode}: use host (no user namespace) or auto (container root is an unprivileged host uid)`);
  if (flags.uidmap.length || flags.gidmap.length) {
    if (mode !== "") throw new UsageError(`--userns ${mode} and --uidmap/--gidmap cannot be used together: the maps already ask for a user namespace`);
    const uid = flags.uidmap.map((m) => parseMapping(m, "--uidmap"));
    const gid = flags.gidmap.length ? flags.gidmap.map((m) => parseMapping(m, "--gidmap")) : uid;
    return { uidMappings: checked(uid, "--uidmap"), gidMappings: checked(gid, flags.gidmap.length ? "--gidmap" : "--uidmap") };
  }
  if (mode !== "auto") return undefined;
  return { uidMappings: [subordinateRange(subordinate.subuid) ?? AUTO_RANGE], gidMappings: [subordinateRange(subordinate.subgid) ?? AUTO_RANGE] };
}

/** root's first range in /etc/subuid or /etc/subgid ("root:100000:65536"), as container ids from 0. */
export function subordinateRange(text: string | undefined): IdMapping | undefined {
  for (const line of (text ?? "").split("\n")) {
    const [name, start, count] = line.trim().split(":");
    if ((name === "root" || name === "0") && /^\d+$/.test(start ?? "") && /^\d+$/.test(count ?? "") && Number(count) > 0) {
      return { containerID: 0, hostID: Number(start), size: Number(count) };
    }
  }
  return undefined;
}

function parseMapping(text: string, flag: string): IdMapping {
  const parts = text.split(":");
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) throw new UsageError(`${flag} ${text}: expected CONTAINER_ID:HOST_ID:SIZE, e.g. 0:100000:65536`);
  const [containerID, hostID, size] = parts.map(Number) as [number, number, number];
  if (size === 0) throw new UsageError(`${flag} ${text}: the size must be at least 1`);
  if (containerID + size > 2 ** 32 || hostID + size > 2 ** 32) throw new UsageError(`${flag} ${text}: the range goes past the largest id (4294967295)`);
  return { containerID, hostID, size };
}

/** The kernel refuses overlapping ranges with a bare EINVAL: say which. */
function checked(maps: IdMapping[], flag: string): IdMapping[] {
  const overlaps = (a: number, as: number, b: number, bs: number) => a < b + bs && b < a + as;
  maps.forEach((m, i) => maps.slice(0, i).forEach((o) => {
    if (overlaps(m.containerID, m.size, o.containerID, o.size) || overlaps(m.hostID, m.size, o.hostID, o.size)) {
      throw new UsageError(`${flag}: ${o.containerID}:${o.hostID}:${o.size} and ${m.containerID}:${m.hostID}:${m.size} overlap`);
    }
  }));
  if (!maps.some((m) => m.containerID === 0)) throw new UsageError(`${flag}: container id 0 must be mapped (the image's files are root's)`);
  return maps;
}
