// A new user namespace for a container, with the spec's mappings: made by a helper stage
// (userns-stage.ts), mapped by this process (root writes /proc/<pid>/uid_map and gid_map
// directly: newuidmap's checks are for unprivileged users), joined by the init stage.
import type { Sys } from "../sys/sys.ts";
import { readSome } from "../sys/fsat.ts";
import { writeFileSync } from "../sys/files.ts";
import { idMapText, type IdMapping } from "../linux/namespaces/user.ts";
import { idmappedClone } from "../linux/namespaces/apply-user.ts";
import { shiftedCopy, type Owner } from "./shifted-copy.ts";
import { hostIdOf } from "../linux/namespaces/user.ts";
import { O } from "../sys/constants.ts";
import { SysError } from "../sys/errno.ts";
import { close } from "../sys/fsat.ts";
import { bunboxSettings, settingsAnnotations } from "../config/annotations.ts";
import type { Spec } from "../config/schema.ts";
import { selfCommand, USERNS_STAGE } from "./self.ts";
import { RuntimeError } from "./errors.ts";

/**
 * With these, a compiled bunbox starts with exactly one thread (bun-platform.md; the init stage,
 * started with the same switches, measured 1 in /proc/<pid>/task when its plan arrived).
 */
const SINGLE_THREADED = {
  BUN_JSC_useConcurrentGC: "0",
  BUN_JSC_useConcurrentJIT: "0",
  BUN_JSC_useBaselineJIT: "0",
  BUN_JSC_useWarmUpMarkedBlocks: "0",
  MIMALLOC_PURGE_DELAY: "0",
};

export interface MadeUserNamespace {
  /** The helper that holds it: gone once `release` is called, when the init has joined. */
  pid: number;
  path: string;
  release(): void;
}

export function makeUserNamespace(sys: Sys, uidMappings: IdMapping[], gidMappings: IdMapping[]): MadeUserNamespace {
  const [fromHelper, helperOut] = sys.pipe();
  const [helperIn, toHelper] = sys.pipe();
  let pid: number;
  try {
    pid = Bun.spawn(selfCommand(USERNS_STAGE), { stdio: [helperIn, helperOut, "inherit"], env: SINGLE_THREADED, argv0: "bunbox-userns" }).pid;
  } finally {
    sys.close(helperIn);
    sys.close(helperOut);
  }
  const release = () => {
    sys.close(toHelper);
    sys.close(fromHelper);
  };
  try {
    const buf = new Uint8Array(512);
    const n = readSome(fromHelper, buf);
    const said = Buffer.from(buf.subarray(0, n)).toString();
    if (said !== "u") throw new RuntimeError(`cannot make the container's user namespace: ${said.replace(/^e /, "") || "its helper stage exited"}`);
    writeMap(pid, "uid_map", uidMappings);
    writeMap(pid, "gid_map", gidMappings);
  } catch (e) {
    release();
    throw e;
  }
  return { pid, path: `/proc/${pid}/ns/user`, release };
}

/** One write, as the kernel requires; a mapping it refuses (overlapping ranges, > 340 lines) is named. */
function writeMap(pid: number, file: "uid_map" | "gid_map", maps: IdMapping[]): void {
  try {
    writeFileSync(`/proc/${pid}/${file}`, idMapText(maps));
  } catch (e) {
    throw new RuntimeError(`cannot write the user namespace's ${file} (${idMapText(maps).trim().replace(/\n/g, ", ")}): ${(e as Error).message}`);
  }
}

/** Container ids → the host ids that stand for them on disk. */
export type HostOwner = Owner;

/**
 * Under the spec's mappings (a new user namespace): container ids as host ids, an unmapped one
 * as the kernel's overflow id (65534). Without one, the ids themselves.
 */
export function hostOwner(spec: Spec): HostOwner {
  const linux = spec.linux;
  if (!linux?.namespaces?.some((n) => n.type === "user" && !n.path)) return (uid, gid) => ({ uid, gid });
  return ownerOf((linux.uidMappings ?? []) as IdMapping[], (linux.gidMappings ?? []) as IdMapping[]);
}

/** Container ids → host ids under the mappings; an id outside them is the overflow id (65534). */
export function ownerOf(uids: IdMapping[], gids: IdMapping[]): Owner {
  return (uid, gid) => ({ uid: hostIdOf(uids, uid) ?? OVERFLOW_ID, gid: hostIdOf(gids, gid) ?? OVERFLOW_ID });
}

const OVERFLOW_ID = 65534;

/**
 * The image's layers as the init will mount them in the user namespace at `userns`: idmapped
 * where their filesystem allows it (tried here: open_tree and mount_setattr need no single
 * thread), else copies with mapped ids (shifted-copy.ts), made by this process, once per
 * container, in its directory. tmpfs gained idmapped mounts only in Linux 6.3: the bare test VM's
 * 6.1 with its store on tmpfs needs the copies (Docker's userns-remap keeps chowned copies too).
 * Made here, not in the init stage: the copy's garbage woke a GC thread there, and a process
 * with two threads cannot join a user namespace.
 */
export function layersForUserNamespace(spec: Spec, userns: string, sys: Sys): Spec {
  const settings = bunboxSettings(spec.annotations);
  const overlay = settings.overlay;
  if (!overlay) return spec;
  const lower = overlay.lower.split(":");
  if (canIdmap(lower[0]!, userns, sys)) return spec;
  // The spec's mappings: the namespace's path is set by now, so hostOwner would see a joined one
  const owner = ownerOf((spec.linux?.uidMappings ?? []) as IdMapping[], (spec.linux?.gidMappings ?? []) as IdMapping[]);
  const copies = `${overlay.upper.slice(0, overlay.upper.lastIndexOf("/"))}/lower-mapped`;
  const mapped = lower.map((dir, i) => shiftedCopy(dir, `${copies}/${i}`, owner));
  const annotations = settingsAnnotations({ ...settings, overlay: { ...overlay, lower: mapped.join(":"), mapped: true } });
  return { ...spec, annotations: { ...spec.annotations, ...annotations } };
}

function canIdmap(dir: string, userns: string, sys: Sys): boolean {
  const ns = sys.open(userns, O.RDONLY | O.CLOEXEC);
  try {
    close(idmappedClone(sys, dir, ns));
    return true;
  } catch (e) {
    if (e instanceof SysError && e.code === "EINVAL") return false;
    throw e;
  } finally {
    sys.close(ns);
  }
}
