// Docker's "init layer": the empty files that /etc/hosts, /etc/hostname and /etc/resolv.conf are
// bind-mounted onto, for an image whose /etc lacks them, made before the overlay is mounted.
// Made through the overlay instead (by the init stage, on its critical path) each first meant a
// copy-up of the image's /etc: ~0.5 ms, and 5 ms when it waited on the ext4 journal (measured).
// A stored image gets one such layer beside it, made once and shared by its containers as the
// overlay's top lower layer: six file-system operations fewer on every container's start (and
// four on its removal). An image given as a directory, which bunbox must not write beside, gets
// them in each container's upper layer.
import { lstatSync, mkdirSync, writeFileSync, chmodSync, chownSync, renameSync, rmSync } from "../sys/files.ts";
import type { HostOwner } from "./user-namespace.ts";

export const ETC_MOUNTPOINTS = ["hosts", "hostname", "resolv.conf"] as const;

/** Which of `names` a real /etc directory in `lower` lacks; none when /etc is missing or a symlink (anything else is left to the init stage). */
function missingIn(lower: string, names: readonly string[]): { etc?: ReturnType<typeof lstatSync>; missing: string[] } {
  let etc;
  try { etc = lstatSync(`${lower}/etc`); } catch { return { missing: [] }; }
  // A symlinked /etc must stay one: a directory in a layer above would hide it
  if (!etc.isDirectory()) return { missing: [] };
  const missing = names.filter((n) => {
    try { lstatSync(`${lower}/etc/${n}`); return false; } catch { return true; }
  });
  return { etc, missing };
}

/** The image needs mountpoints made for it. */
export function needsEtcMountpoints(rootfs: string, names: readonly string[] = ETC_MOUNTPOINTS): boolean {
  return missingIn(rootfs, names).missing.length > 0;
}

/** The mountpoints in `layer`/etc, with the image's /etc owner and mode (what a copy-up would give the merged /etc). */
export function makeEtcMountpoints(lower: string, layer: string, names: readonly string[], owner: HostOwner = (uid, gid) => ({ uid, gid })): void {
  const { etc, missing } = missingIn(lower, names);
  if (!etc || !missing.length) return;
  try { lstatSync(`${layer}/etc`); return; } catch { /* a fresh layer, as expected */ }
  mkdirSync(`${layer}/etc`);
  chmodSync(`${layer}/etc`, etc.mode & 0o7777);
  const o = owner(etc.uid, etc.gid);
  chownSync(`${layer}/etc`, o.uid, o.gid);
  for (const n of missing) writeFileSync(`${layer}/etc/${n}`, "", { mode: 0o644 });
}

/**
 * A stored image's shared init layer, made if it is not there yet: built under a temporary name
 * and renamed into place, so a container never sees half of it and two first runs at once both
 * end with the one that won.
 */
export function ensureInitLayer(layer: string, rootfs: string, names: readonly string[] = ETC_MOUNTPOINTS): void {
  try { lstatSync(layer); return; } catch { /* the image's first container that needs it */ }
  const tmp = `${layer}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o755 });
  try {
    makeEtcMountpoints(rootfs, tmp, names);
    renameSync(tmp, layer);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another run made it meanwhile (rename onto a non-empty directory)
    try { lstatSync(layer); return; } catch { throw e; }
  }
}
