// Pausing a container: the cgroup freezer (v1 freezer.state, v2 cgroup.freeze), given the
// container's cgroup directories. Shared by `bunbox pause` and `runc pause`.
import { existsSync, readFileSync, writeFileSync } from "../sys/files.ts";

interface FreezerFile { path: string; frozen: string; thawed: string }

function freezerFile(dirs: string[]): FreezerFile | undefined {
  const v1 = dirs.find((d) => d.includes("/freezer/"));
  if (v1) return { path: `${v1}/freezer.state`, frozen: "FROZEN", thawed: "THAWED" };
  const v2 = dirs.find((d) => existsSync(`${d}/cgroup.freeze`));
  if (v2) return { path: `${v2}/cgroup.freeze`, frozen: "1", thawed: "0" };
  return undefined;
}

/** The directory whose freezer file freezes the container (v1 freezer hierarchy, or the v2 cgroup). */
export function freezerDir(dirs: string[]): string | undefined {
  const f = freezerFile(dirs);
  return f?.path.slice(0, f.path.lastIndexOf("/"));
}

export function hasFreezer(dirs: string[]): boolean {
  return freezerFile(dirs) !== undefined;
}

export function isFrozen(dirs: string[]): boolean {
  const f = freezerFile(dirs);
  if (!f) return false;
  try { return readFileSync(f.path, "utf8").trim() === f.frozen; } catch { return false; }
}

/** Freezes, and waits until the kernel says FROZEN (v1 goes through FREEZING). False without a freezer. */
export async function freeze(dirs: string[]): Promise<boolean> {
  const f = freezerFile(dirs);
  if (!f) return false;
  writeFileSync(f.path, f.frozen);
  await waitFrozen(f, 2000);
  return true;
}

/**
 * Freezes and confirms it: true only once every process is frozen (v1 freezer.state FROZEN, v2
 * cgroup.events "frozen 1"; cgroup.freeze only says what was asked). Not confirmed in time, or no
 * freezer: thawed again, false.
 */
export async function freezeConfirmed(dirs: string[], timeoutMs = 2000): Promise<boolean> {
  const f = freezerFile(dirs);
  if (!f) return false;
  writeFileSync(f.path, f.frozen);
  if (await waitFrozen(f, timeoutMs)) return true;
  writeFileSync(f.path, f.thawed);
  return false;
}

async function waitFrozen(f: FreezerFile, timeoutMs: number): Promise<boolean> {
  const isDone = () => {
    try {
      return f.frozen === "1"
        ? /^frozen 1$/m.test(readFileSync(`${f.path.slice(0, -"cgroup.freeze".length)}cgroup.events`, "utf8"))
        : readFileSync(f.path, "utf8").trim() === f.frozen;
    } catch { return false; }
  };
  for (const end = Date.now() + timeoutMs; !isDone(); await Bun.sleep(1)) if (Date.now() > end) return false;
  return true;
}

export function thaw(dirs: string[]): void {
  const f = freezerFile(dirs);
  if (f) writeFileSync(f.path, f.thawed);
}
