// `update [--resources FILE|-] [single-value flags] ID`: new cgroup limits for a running container.
import { readFileSync } from "../../sys/files.ts";
import { parseFlags, str } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { ociUpdate } from "../../runtime/oci/container.ts";
import { parseResources, type LinuxResources } from "../../config/schema.ts";
import { RuntimeError } from "../../runtime/errors.ts";

const UPDATE_FLAGS = {
  resources: { value: true, alias: ["r"] },
  memory: { value: true }, "memory-swap": { value: true }, "memory-reservation": { value: true }, "kernel-memory": { value: true }, "kernel-memory-tcp": { value: true },
  "cpu-shares": { value: true }, "cpu-quota": { value: true }, "cpu-period": { value: true },
  "cpu-rt-period": { value: true }, "cpu-rt-runtime": { value: true }, "cpuset-cpus": { value: true }, "cpuset-mems": { value: true },
  "pids-limit": { value: true }, "blkio-weight": { value: true }, "l3-cache-schema": { value: true }, "mem-bw-schema": { value: true },
};

/** "64m", "1g", "1024" → bytes; "-1" stays -1. */
export function parseBytes(s: string): number {
  const m = /^(-?\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(s.trim());
  if (!m) throw new RuntimeError(`invalid value "${s}": expected bytes (like 64m)`, 1);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as "" | "k"]!;
  return Math.round(Number(m[1]) * mult);
}

export const update: Subcommand = async (args, env) => {
  const { flags, positional } = parseFlags(args, UPDATE_FLAGS);
  if (positional.length !== 1) throw new RuntimeError("\"update\" needs exactly one container id", 1);
  let r: LinuxResources = {};
  const file = str(flags.resources);
  if (file) {
    let json: unknown;
    try { json = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8")); } catch (e) { throw new RuntimeError(`read resources ${file}: ${(e as Error).message}`, 1); }
    r = parseResources(json, file === "-" ? "resources" : file);
  }
  const num = (k: string) => (str(flags[k]) !== undefined ? Number(str(flags[k])) : undefined);
  const bytes = (k: string) => (str(flags[k]) !== undefined ? parseBytes(str(flags[k])!) : undefined);
  const memory = { ...r.memory, ...defined({ limit: bytes("memory"), swap: bytes("memory-swap"), reservation: bytes("memory-reservation") }) };
  const cpu = { ...r.cpu, ...defined({ shares: num("cpu-shares"), quota: num("cpu-quota"), period: num("cpu-period"), cpus: str(flags["cpuset-cpus"]), mems: str(flags["cpuset-mems"]) }) };
  if (Object.keys(memory).length) r.memory = memory as never;
  if (Object.keys(cpu).length) r.cpu = cpu as never;
  if (num("pids-limit") !== undefined) r.pids = { limit: num("pids-limit")! } as never;
  if (num("blkio-weight") !== undefined) r.blockIO = { ...r.blockIO, weight: num("blkio-weight") } as never;
  ociUpdate(positional[0]!, r, env.deps());
  return 0;
};

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
