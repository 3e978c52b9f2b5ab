// Where bunbox keeps things. One --root (or BUNBOX_ROOT) moves all of it, so tests use temp dirs.
export interface StatePaths {
  /** Root of persistent data (images/ and containers/ live below it). */
  data: string;
  /** Extracted images: <data>/images */
  images: string;
  /** Per-container bundles (config.json, overlay upper/work, generated /etc files). */
  containers: string;
  /** Runtime state (state.json, locks), on tmpfs by default: gone after a reboot like the containers. */
  run: string;
}

export function statePaths(root: string | undefined): StatePaths {
  if (root) return { data: root, images: `${root}/images`, containers: `${root}/containers`, run: `${root}/run` };
  return { data: "/var/lib/bunbox", images: "/var/lib/bunbox/images", containers: "/var/lib/bunbox/containers", run: "/run/bunbox" };
}
