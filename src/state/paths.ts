// Where bunbox keeps things. One --root (or BUNBOX_ROOT) moves all of it, so tests use temp dirs.
import { resolve } from "node:path";

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

/**
 * A relative root is made absolute here, once, at startup: state.json, the monitor and later
 * commands run from other directories (a stored "relroot/containers/<id>" broke start and rm).
 */
export function statePaths(given: string | undefined, cwd: string = process.cwd()): StatePaths {
  const root = given ? resolve(cwd, given) : undefined;
  if (root) return { data: root, images: `${root}/images`, containers: `${root}/containers`, run: `${root}/run` };
  return { data: "/var/lib/bunbox", images: "/var/lib/bunbox/images", containers: "/var/lib/bunbox/containers", run: "/run/bunbox" };
}
