// mount(2) flags of a bind → what mount_setattr(2) sets on the detached mount. Only per-mount
// flags exist there: a bind cannot change its filesystem's superblock (sync, dirsync, lazytime),
// which the old MS_REMOUNT|MS_BIND call ignored too.
import { MS, MOUNT_ATTR } from "../../sys/constants.ts";

export interface MountAttrs {
  /** MOUNT_ATTR_* to set. */
  set: number;
  /** MOUNT_ATTR_* to clear first (the atime field is one value, not bits). */
  clear: number;
}

const PER_MOUNT: [ms: number, attr: number][] = [
  [MS.RDONLY, MOUNT_ATTR.RDONLY], [MS.NOSUID, MOUNT_ATTR.NOSUID], [MS.NODEV, MOUNT_ATTR.NODEV],
  [MS.NOEXEC, MOUNT_ATTR.NOEXEC], [MS.NODIRATIME, MOUNT_ATTR.NODIRATIME], [MS.NOSYMFOLLOW, MOUNT_ATTR.NOSYMFOLLOW],
];

/** The MS_ flags a bind step keeps (per-mount ones, as MS_REMOUNT|MS_BIND applies them). */
export const BIND_FLAGS = PER_MOUNT.reduce((m, [ms]) => m | ms, 0) | MS.NOATIME | MS.STRICTATIME | MS.RELATIME;

export function mountAttrs(flags: number): MountAttrs {
  let set = 0, clear = 0;
  for (const [ms, attr] of PER_MOUNT) if (flags & ms) set |= attr;
  // One atime mode: asking for one replaces the source's (noatime wins, as in mount(2))
  const atime = flags & MS.NOATIME ? MOUNT_ATTR.NOATIME : flags & MS.STRICTATIME ? MOUNT_ATTR.STRICTATIME : flags & MS.RELATIME ? MOUNT_ATTR.RELATIME : -1;
  if (atime >= 0) {
    set |= atime;
    clear |= MOUNT_ATTR.ATIME_MASK;
  }
  return { set, clear };
}

/** MS_PRIVATE|MS_REC … → mount_setattr's propagation value and whether it covers the whole tree. */
export function propagationAttr(flags: number): { type: number; recursive: boolean } {
  return { type: flags & (MS.PRIVATE | MS.SLAVE | MS.SHARED | MS.UNBINDABLE), recursive: (flags & MS.REC) !== 0 };
}

/** mount_setattr's attributes by name, for --explain. */
export function describeAttrs(a: MountAttrs): string {
  const names: string[] = [];
  if (a.set & MOUNT_ATTR.RDONLY) names.push("MOUNT_ATTR_RDONLY");
  if (a.set & MOUNT_ATTR.NOSUID) names.push("MOUNT_ATTR_NOSUID");
  if (a.set & MOUNT_ATTR.NODEV) names.push("MOUNT_ATTR_NODEV");
  if (a.set & MOUNT_ATTR.NOEXEC) names.push("MOUNT_ATTR_NOEXEC");
  if (a.clear & MOUNT_ATTR.ATIME_MASK) {
    names.push(a.set & MOUNT_ATTR.NOATIME ? "MOUNT_ATTR_NOATIME" : a.set & MOUNT_ATTR.STRICTATIME ? "MOUNT_ATTR_STRICTATIME" : "MOUNT_ATTR_RELATIME");
  }
  if (a.set & MOUNT_ATTR.NODIRATIME) names.push("MOUNT_ATTR_NODIRATIME");
  if (a.set & MOUNT_ATTR.NOSYMFOLLOW) names.push("MOUNT_ATTR_NOSYMFOLLOW");
  return names.join("|") || "0";
}
