// Docker's "init layer", in the container's upper directory: the empty files that /etc/hosts,
// /etc/hostname and /etc/resolv.conf are bind-mounted onto, made before the overlay is mounted.
// Made through the overlay instead (by the init stage, on its critical path) each first meant a
// copy-up of the image's /etc: ~0.5 ms, and 5 ms when it waited on the ext4 journal (measured).
import { lstatSync, mkdirSync, writeFileSync, chmodSync, chownSync } from "../sys/files.ts";
import type { HostOwner } from "./user-namespace.ts";

/** Only where the image has a real /etc without them; anything else is left to the init stage. */
export function makeEtcMountpoints(lower: string, upper: string, names: readonly string[], owner: HostOwner = (uid, gid) => ({ uid, gid })): void {
  let etc;
  try { etc = lstatSync(`${lower}/etc`); } catch { return; }
  // A symlinked /etc must stay one: a directory in the upper layer would hide it
  if (!etc.isDirectory()) return;
  const missing = names.filter((n) => {
    try { lstatSync(`${lower}/etc/${n}`); return false; } catch { return true; }
  });
  if (!missing.length) return;
  try { lstatSync(`${upper}/etc`); return; } catch { /* a fresh upper layer, as expected */ }
  // What a copy-up would give the merged /etc: the image's owner and mode
  mkdirSync(`${upper}/etc`);
  chmodSync(`${upper}/etc`, etc.mode & 0o7777);
  const o = owner(etc.uid, etc.gid);
  chownSync(`${upper}/etc`, o.uid, o.gid);
  for (const n of missing) writeFileSync(`${upper}/etc/${n}`, "", { mode: 0o644 });
}
