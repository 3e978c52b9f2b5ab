// -v and --mount of run/create → the spec's mount entries and the volumes the record keeps.
// Planning is pure (explain uses it); makeVolumes, for a real run, makes the volumes (a named one
// if missing, a new anonymous one) and checks what Docker's daemon checks on the host.
import { existsSync, chownSync } from "../../sys/files.ts";
import { parseVolumeArg, type MountRequest } from "../../config/volumes.ts";
import { parseMountArg } from "../../config/mount-flag.ts";
import { UsageError } from "../../config/errors.ts";
import type { MountEntry } from "../../config/docker-defaults.ts";
import type { RecordVolume } from "../../state/containers.ts";
import { VolumeStore } from "../../state/volumes.ts";
import { newId } from "../../state/ids.ts";
import { copyUp } from "../../runtime/volume-copy-up.ts";
import type { Owner } from "../../runtime/shifted-copy.ts";

export interface PlannedMounts {
  /** In the order given: -v first, then --mount. */
  entries: MountEntry[];
  volumes: RecordVolume[];
  /** --mount type=bind sources, which must exist (Docker makes -v's, not --mount's). */
  mustExist: string[];
  /** Volumes that get the image's files at their mount path while empty (all but nocopy ones). */
  copyUp: { name: string; destination: string }[];
}

export function planMounts(volumeArgs: string[], mountArgs: string[], volumesDir: string): PlannedMounts {
  const requests: MountRequest[] = [...volumeArgs.map(parseVolumeArg), ...mountArgs.map(parseMountArg)];
  const store = new VolumeStore(volumesDir);
  const planned: PlannedMounts = { entries: [], volumes: [], mustExist: [], copyUp: [] };
  for (const r of requests) {
    if (r.kind !== "volume") {
      planned.entries.push(r.entry);
      if (r.kind === "bind" && !r.createSource) planned.mustExist.push(r.entry.source);
      continue;
    }
    // An anonymous volume gets a name of its own now, so that the spec and the record agree
    const name = r.name ?? newId();
    if (!r.nocopy) planned.copyUp.push({ name, destination: r.destination });
    planned.volumes.push({ name, destination: r.destination, ...(r.readonly ? { readonly: true } : {}), ...(r.name === undefined ? { anonymous: true } : {}) });
    planned.entries.push({ destination: r.destination, type: "bind", source: store.dataPath(name), options: ["rbind", ...(r.readonly ? ["ro"] : []), "rprivate"] });
  }
  return planned;
}

/**
 * For a run that will happen: the bind sources checked, the volumes made, an empty one given what
 * the image (its directory `imageRoot`) holds at the mount path. Returns the anonymous ones made (to undo).
 */
export function makeVolumes(planned: PlannedMounts, volumesDir: string, imageRoot: string, owner?: Owner): string[] {
  for (const source of planned.mustExist) {
    if (!existsSync(source)) throw new UsageError(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  }
  const store = new VolumeStore(volumesDir);
  const made: string[] = [];
  for (const v of planned.volumes) {
    const created = store.ensure(v.name, { anonymous: v.anonymous }).created;
    if (created && v.anonymous) made.push(v.name);
    // In a user namespace a new volume is its root's, as under Docker's userns-remap; an existing one keeps its owners
    if (created && owner) { const o = owner(0, 0); chownSync(store.dataPath(v.name), o.uid, o.gid); }
  }
  for (const c of planned.copyUp) copyUp(imageRoot, c.destination, store.dataPath(c.name), owner);
  return made;
}
