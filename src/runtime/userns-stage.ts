// The user namespace's maker: a helper stage that unshares CLONE_NEWUSER, which only a
// single-threaded process may do (the parent is Bun with its pool threads), says so on stdout and
// holds the namespace until its stdin closes. The parent writes the mappings and the init stage
// joins it by /proc/<pid>/ns/user (runtime/user-namespace.ts).
import type { Sys } from "../sys/sys.ts";
import { CLONE, PR } from "../sys/constants.ts";
import { readSome, writeAll } from "../sys/fsat.ts";

export function runUserNsStage(sys: Sys): number {
  try {
    sys.unshare(CLONE.NEWUSER);
  } catch (e) {
    writeAll(1, Buffer.from(`e ${(e as Error).message}`));
    return 125;
  }
  // Nothing that later lives in the namespace may open this process's /proc files
  sys.prctl(PR.SET_DUMPABLE, 0);
  writeAll(1, Buffer.from("u"));
  const buf = new Uint8Array(64);
  while (readSome(0, buf) > 0);
  return 0;
}
