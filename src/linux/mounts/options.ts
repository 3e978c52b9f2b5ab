// OCI mount options ("nosuid", "ro", "rbind", "mode=755") → mount(2) flags, propagation and data.
import { MS } from "../../sys/constants.ts";

export interface ParsedOptions {
  flags: number;
  /** MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), applied by a second mount call. */
  propagation: number;
  data: string[];
  bind: boolean;
}

const SET: Record<string, number> = {
  ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, sync: MS.SYNCHRONOUS,
  remount: MS.REMOUNT, mand: MS.MANDLOCK, dirsync: MS.DIRSYNC, noatime: MS.NOATIME,
  nodiratime: MS.NODIRATIME, bind: MS.BIND, rbind: MS.BIND | MS.REC, relatime: MS.RELATIME,
  strictatime: MS.STRICTATIME, nosymfollow: MS.NOSYMFOLLOW, lazytime: MS.LAZYTIME,
};
const CLEAR: Record<string, number> = {
  rw: MS.RDONLY, suid: MS.NOSUID, dev: MS.NODEV, exec: MS.NOEXEC, async: MS.SYNCHRONOUS,
  nomand: MS.MANDLOCK, atime: MS.NOATIME, diratime: MS.NODIRATIME, norelatime: MS.RELATIME,
  nostrictatime: MS.STRICTATIME, symfollow: MS.NOSYMFOLLOW,
};
const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC, slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC, unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};

/** Every option parseMountOptions knows (the rest are filesystem data): `runc features` lists them. */
export const MOUNT_OPTIONS = ["defaults", ...Object.keys(SET), ...Object.keys(CLEAR), ...Object.keys(PROPAGATION)].sort();

export function parseMountOptions(options: string[] = []): ParsedOptions {
  let flags = 0, propagation = 0;
  const data: string[] = [];
  for (const opt of options) {
    if (opt in SET) flags |= SET[opt]!;
    else if (opt in CLEAR) flags &= ~CLEAR[opt]!;
    else if (opt in PROPAGATION) propagation = PROPAGATION[opt]!;
    else if (opt === "defaults") continue;
    else data.push(opt);
  }
  return { flags, propagation, data, bind: (flags & MS.BIND) !== 0 };
}

/** Readable flag names for --explain and error messages. */
export function describeFlags(flags: number): string {
  const names = Object.entries(MS).filter(([, bit]) => (flags & bit) !== 0).map(([n]) => `MS_${n}`);
  return names.length ? names.join("|") : "0";
}
