// Which containers an image is the root of: `rmi` must not delete a layer a container mounts.
import type { ContainerStore } from "../state/containers.ts";
import { readJson } from "../state/files.ts";
import { bunboxSettings } from "../config/annotations.ts";

/** The short id of a container (in any state) whose overlay has `rootfs` as its lower layer. */
export function containerUsing(store: ContainerStore, rootfs: string): string | undefined {
  for (const rec of store.list()) {
    const annotations = readJson<{ annotations?: Record<string, string> }>(`${rec.bundle}/config.json`)?.annotations;
    try {
      if (bunboxSettings(annotations).overlay?.lower.split(":").includes(rootfs)) return rec.id.slice(0, 12);
    } catch { /* a bundle we cannot read uses nothing we could name */ }
  }
  return undefined;
}
