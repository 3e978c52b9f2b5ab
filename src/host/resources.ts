// The host facts resource flags are checked against: the CPUs and memory nodes it has, and the
// device numbers of block devices named in --device-read-bps/--device-write-bps.
import { readFileSync, statSync } from "../sys/files.ts";
import type { ResourceHost } from "../config/resource-flags.ts";

export function hostResources(sysfs = "/sys"): ResourceHost {
  const read = (p: string, dflt: string) => {
    try { return readFileSync(p, "utf8").trim() || dflt; } catch { return dflt; }
  };
  // Read only when a flag needs them (--cpus, --cpuset-*): most runs never do
  return {
    get cpus() { return read(`${sysfs}/devices/system/cpu/online`, "0"); },
    get mems() { return read(`${sysfs}/devices/system/node/online`, "0"); },
    blockDevice(path) {
      try {
        const st = statSync(path);
        if (!st.isBlockDevice()) return undefined;
        const rdev = st.rdev;
        // glibc's gnu_dev_major/minor
        return { major: ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff), minor: (rdev & 0xff) | ((rdev >> 12) & ~0xff) };
      } catch {
        return undefined;
      }
    },
  };
}
