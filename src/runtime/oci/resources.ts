// `runc update`: new limits for a running container, written by the same cgroup driver that set
// them at create (src/cgroups/limits.ts decides the files and values). The driver plans for a
// cgroupsPath; the writes are moved onto the directories the container really has, hierarchy by
// hierarchy, since this process may sit in another cgroup than the one that created them.
import { writeFileSync, existsSync } from "../../sys/files.ts";
import type { LinuxResources } from "../../spec/schema.ts";
import type { CgroupHost } from "../../cgroups/layout.ts";
import { cgroupDriver } from "../../cgroups/driver.ts";
import { RuntimeError } from "../errors.ts";

export function updateResources(host: CgroupHost, cgroupsPath: string, dirs: string[], resources: LinuxResources): void {
  const driver = cgroupDriver(host);
  const planned = driver.dirsFor(cgroupsPath);
  for (const w of driver.plan(cgroupsPath, resources)) {
    const i = planned.indexOf(w.dir);
    const dir = i >= 0 && dirs[i] ? dirs[i] : dirs.find((d) => d.endsWith(cgroupsPath));
    if (!dir) continue;
    // v2 device rules: the filter attached at create stays (containerd resends the same rules on
    // update; an added program could only narrow them, and detaching one is not done here)
    if (w.program) continue;
    const path = `${dir}/${w.file}`;
    if (w.optional && !existsSync(path)) continue;
    try {
      writeFileSync(path, w.value);
    } catch (e) {
      throw new RuntimeError(`update ${w.file} = ${w.value}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
    }
  }
}
