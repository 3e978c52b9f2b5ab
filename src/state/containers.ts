// Container records under <run>/<id>/state.json, and unique names claimed atomically under
// <run>/names/<name> (O_EXCL), so two concurrent runs can never get the same name.
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { writeFileAtomic, readJson } from "./files.ts";
import { UsageError } from "../spec/errors.ts";

export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  command: string[];
  created: string;
  bundle: string;
  pid?: number;
  status: "created" | "running" | "exited";
  exitCode?: number;
  finishedAt?: string;
  oomKilled?: boolean;
  /** The container's cgroup directories (absolute host paths, one per hierarchy). */
  cgroup?: { dirs: string[] };
}

export class ContainerStore {
  constructor(readonly runDir: string) {}

  private dir(id: string): string {
    return `${this.runDir}/${id}`;
  }

  /** Reserves `name` for `id`; throws if another container has it. */
  claimName(name: string, id: string): void {
    mkdirSync(`${this.runDir}/names`, { recursive: true, mode: 0o700 });
    let fd: number;
    try {
      fd = openSync(`${this.runDir}/names/${name}`, "wx", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = this.nameOwner(name);
      throw new UsageError(`the container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    writeSync(fd, id);
    closeSync(fd);
  }

  nameTaken(name: string): boolean {
    return existsSync(`${this.runDir}/names/${name}`);
  }

  private nameOwner(name: string): string {
    try { return readFileSync(`${this.runDir}/names/${name}`, "utf8"); } catch { return "?"; }
  }

  save(rec: ContainerRecord): void {
    mkdirSync(this.dir(rec.id), { recursive: true, mode: 0o700 });
    writeFileAtomic(`${this.dir(rec.id)}/state.json`, JSON.stringify(rec, null, 2) + "\n");
  }

  load(id: string): ContainerRecord | undefined {
    return readJson<ContainerRecord>(`${this.dir(id)}/state.json`);
  }

  list(): ContainerRecord[] {
    let ids: string[] = [];
    try { ids = readdirSync(this.runDir).filter((d) => /^[0-9a-f]{64}$/.test(d)); } catch { /* none yet */ }
    return ids.flatMap((id) => this.load(id) ?? []);
  }

  remove(rec: Pick<ContainerRecord, "id" | "name">): void {
    rmSync(this.dir(rec.id), { recursive: true, force: true });
    if (this.nameOwner(rec.name) === rec.id) rmSync(`${this.runDir}/names/${rec.name}`, { force: true });
  }
}
