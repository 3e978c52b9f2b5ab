// Volumes kept under the state root as Docker's local driver keeps them: <data>/volumes/<name>/_data
// is what containers mount (a bind mount), <data>/volumes/<name>/volume.json what `volume inspect`
// shows. An anonymous volume (-v /path, --mount without source) has a random 64-hex name and goes
// with its container when that is removed with -v or --rm.
import { mkdirSync, readdirSync, existsSync } from "../sys/files.ts";
import { removeTree } from "../sys/remove-tree.ts";
import { writeFileAtomic, readJson } from "./files.ts";
import { NotFound } from "./containers.ts";
import { VOLUME_NAME } from "../config/volumes.ts";

export interface VolumeInfo {
  Name: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  /** Made for one container by -v /path: removed with it (rm -v, --rm). */
  Anonymous?: boolean;
}

/** <data>/volumes: beside <data>/containers, which is all the runtime stages are told of. */
export function volumesDirFor(containersDir: string): string {
  return containersDir.replace(/\/containers$/, "") + "/volumes";
}

export class VolumeStore {
  constructor(readonly dir: string) {}

  /** What containers mount. */
  dataPath(name: string): string {
    return `${this.dir}/${name}/_data`;
  }

  /** The volume `name`, made if missing (docker run -v NAME:/x and docker volume create both do). */
  ensure(name: string, opts: { labels?: Record<string, string>; anonymous?: boolean } = {}): { info: VolumeInfo; created: boolean } {
    const existing = this.get(name);
    if (existing) return { info: existing, created: false };
    // Root's alone to list, as Docker's volumes/ (0701): what containers write there (setuid
    // binaries too) is not for host users to reach; _data is the mount's root, 0755 as Docker's
    mkdirSync(this.dir, { recursive: true, mode: 0o701 });
    mkdirSync(this.dataPath(name), { recursive: true, mode: 0o755 });
    const info: VolumeInfo = { Name: name, CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), Labels: opts.anonymous ? null : opts.labels ?? {}, ...(opts.anonymous ? { Anonymous: true } : {}) };
    writeFileAtomic(`${this.dir}/${name}/volume.json`, JSON.stringify(info) + "\n", 0o600);
    return { info, created: true };
  }

  get(name: string): VolumeInfo | undefined {
    if (!VOLUME_NAME.test(name) || !existsSync(this.dataPath(name))) return undefined;
    // A directory made by hand (or by an older bunbox) is a volume all the same
    return readJson<VolumeInfo>(`${this.dir}/${name}/volume.json`) ?? { Name: name, CreatedAt: "", Labels: {} };
  }

  resolve(name: string): VolumeInfo {
    const v = this.get(name);
    if (!v) throw new NotFound(`no such volume: ${name}`);
    return v;
  }

  list(): VolumeInfo[] {
    let names: string[] = [];
    try { names = readdirSync(this.dir); } catch { return []; }
    return names.sort().map((n) => this.get(n)).filter((v): v is VolumeInfo => v !== undefined);
  }

  remove(name: string): void {
    if (!VOLUME_NAME.test(name)) return;
    removeTree(`${this.dir}/${name}`);
  }
}
