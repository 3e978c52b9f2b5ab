// `bunbox inspect CONTAINER...`: Docker's shape of the facts bunbox keeps (a JSON array).
import { readFileSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { statusOf, isRestarting } from "../../runtime/lifecycle.ts";
import type { Spec } from "../../config/schema.ts";
import { bunboxSettings, type BunboxSettings } from "../../config/annotations.ts";
import { describeError } from "../errors.ts";
import { parseTemplate, goMap, TemplateError } from "../template.ts";
import { str } from "../values.ts";
import { DEFAULT_LOG_OPTS } from "../../config/log-opts.ts";
import { DEFAULT_CAPS } from "../../config/docker-defaults.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

export async function inspectCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("inspect", args);
  if (p.help) return 0;
  const format = str(p.options.format);
  // Parsed before anything is printed: a bad template is one error, not one per container
  const template = format ? parseTemplate(format, { structs: true }) : undefined;
  const out: unknown[] = [];
  let status = 0;
  for (const ref of p.args.map(String)) {
    try {
      const described = describe(ctx.containers().resolve(ref));
      // -f: the template over each container's object, one line each (docker inspect -f)
      if (template) ctx.out(template.execute(described) + "\n");
      else out.push(described);
    } catch (e) {
      // Docker's words for a template that fails on the container's data
      if (e instanceof TemplateError) e.message = `Template parsing error: ${e.message}`;
      const { message, exitCode } = describeError(e, "inspect");
      ctx.err(`bunbox: ${message}\n`);
      status = exitCode === 125 ? 1 : exitCode;
    }
  }
  if (!template) ctx.out(JSON.stringify(out, null, 4) + "\n");
  return status;
}

export function describe(rec: ContainerRecord): unknown {
  let spec: Spec | undefined;
  try { spec = JSON.parse(readFileSync(`${rec.bundle}/config.json`, "utf8")) as Spec; } catch { /* removed bundle */ }
  const status = statusOf(rec);
  // Ended, and its monitor waits to start it again (--restart)
  const restarting = isRestarting(rec);
  const proc = spec?.process;
  const settings = bunboxSettings(spec?.annotations);
  const entrypoint = settings.entrypoint ?? [];
  const network = (spec?.linux?.namespaces ?? []).some((n) => n.type === "network") ? "none" : "host";
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.command[0] ?? "",
    Args: rec.command.slice(1),
    State: {
      Status: restarting ? "restarting" : status,
      Running: status === "running" || status === "paused",
      Paused: status === "paused",
      Restarting: restarting,
      OOMKilled: rec.oomKilled ?? false,
      Dead: false,
      Pid: status === "running" || status === "paused" ? rec.pid ?? 0 : 0,
      ExitCode: rec.exitCode ?? 0,
      Error: "",
      StartedAt: rec.startedAt ?? ZERO_TIME,
      FinishedAt: rec.finishedAt ?? ZERO_TIME,
    },
    Image: rec.image,
    RestartCount: rec.restartCount ?? 0,
    LogPath: rec.logPath ?? "",
    Name: `/${rec.name}`,
    // Where Docker puts it: "" on a host without AppArmor, "unconfined" for --privileged
    AppArmorProfile: proc?.apparmorProfile ?? "",
    HostConfig: {
      AutoRemove: rec.autoRemove ?? false,
      ReadonlyRootfs: spec?.root?.readonly ?? false,
      ...capabilityChanges(spec, settings),
      Privileged: privileged(spec),
      NetworkMode: network,
      ShmSize: shmSize(spec),
      RestartPolicy: rec.restartPolicy ?? { Name: "no", MaximumRetryCount: 0 },
      IpcMode: rec.ipcMode ?? "private",
      PidMode: rec.pidMode ?? "",
      LogConfig: { Type: "json-file", Config: rec.logPath ? rec.logConfig ?? DEFAULT_LOG_OPTS : {} },
      ...resourcesOf(spec),
      // Docker's *bool: null unless --init
      Init: settings.init ? true : null,
    },
    Mounts: mountsOf(rec, spec),
    Config: {
      Hostname: spec?.hostname ?? "",
      // -u as given, "" without it (Docker's); a bundle from before the annotation: the ids
      User: settings.user ?? (settings.workdir === undefined && proc?.user ? `${proc.user.uid}:${proc.user.gid}` : ""),
      Tty: proc?.terminal ?? false,
      Env: proc?.env ?? [],
      // The argv split as Docker keeps it: the entrypoint (null without one), then the command
      Entrypoint: entrypoint.length ? entrypoint : null,
      Cmd: rec.command.length > entrypoint.length ? rec.command.slice(entrypoint.length) : null,
      Image: rec.image,
      // Docker's is "" unless -w or the image set one (cwd is "/" then); older bundles lack the annotation
      WorkingDir: settings.workdir ?? proc?.cwd ?? "",
      Labels: rec.labels ?? {},
      // Only when set, as Docker's omitempty fields
      ...(rec.stopSignal !== undefined ? { StopSignal: rec.stopSignal } : {}),
      ...(rec.stopTimeout !== undefined ? { StopTimeout: rec.stopTimeout } : {}),
    },
    // What `-f '{{.NetworkSettings.IPAddress}}'` scripts read: none and host networks have no address
    NetworkSettings: {
      Bridge: "", Ports: goMap({}), Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "",
      Networks: goMap({ [network]: { Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "" } }),
    },
    GraphDriver: { Name: "overlay2", Data: goMap({ UpperDir: `${rec.bundle}/upper`, WorkDir: `${rec.bundle}/work`, MergedDir: `${rec.bundle}/rootfs` }) },
  };
}

/** --privileged: no masked paths (the flag's mark in the spec). */
function privileged(spec: Spec | undefined): boolean {
  return spec !== undefined && (spec.linux?.maskedPaths ?? []).length === 0;
}

/**
 * HostConfig.CapAdd and CapDrop: --cap-add and --cap-drop as given (CAP_-prefixed, ALL kept), null
 * without them, as Docker 20.10 keeps them. A bundle from before they were recorded: the
 * container's capabilities against Docker's defaults.
 */
function capabilityChanges(spec: Spec | undefined, settings: BunboxSettings): { CapAdd: string[] | null; CapDrop: string[] | null } {
  if (settings.workdir !== undefined) return { CapAdd: settings.capAdd ?? null, CapDrop: settings.capDrop ?? null };
  const bounding = spec?.process?.capabilities?.bounding;
  if (!bounding || privileged(spec)) return { CapAdd: null, CapDrop: null };
  const add = bounding.filter((c) => !DEFAULT_CAPS.includes(c));
  const drop = DEFAULT_CAPS.filter((c) => !bounding.includes(c));
  return { CapAdd: add.length ? add : null, CapDrop: drop.length ? drop : null };
}

/** The limits as Docker's HostConfig names them (0, "" or null where not set, as Docker shows them). */
function resourcesOf(spec: Spec | undefined): Record<string, unknown> {
  const r = spec?.linux?.resources;
  const cpu = r?.cpu;
  return {
    Memory: r?.memory?.limit ?? 0,
    MemoryReservation: r?.memory?.reservation ?? 0,
    MemorySwap: r?.memory?.swap ?? 0,
    // --cpus is the only source of a quota: NanoCpus as Docker keeps it
    NanoCpus: cpu?.quota && cpu.period ? Math.round((cpu.quota * 1e9) / cpu.period) : 0,
    CpuShares: cpu?.shares ?? 0,
    CpusetCpus: cpu?.cpus ?? "",
    CpusetMems: cpu?.mems ?? "",
    // Docker keeps no limit (-1 or 0 asked) as nil
    PidsLimit: r?.pids?.limit !== undefined && r.pids.limit > 0 ? r.pids.limit : null,
  };
}

/** HostConfig.ShmSize: the size= of the spec's /dev/shm mount (bytes), Docker's 64 MiB if absent. */
function shmSize(spec: Spec | undefined): number {
  const shm = spec?.mounts?.find((m) => m.destination === "/dev/shm");
  const size = shm?.options?.find((o) => o.startsWith("size="))?.slice(5);
  return size !== undefined && /^\d+$/.test(size) ? Number(size) : 64 * 1024 * 1024;
}

/**
 * Docker's Mounts: a volume by its name (its _data as Source), a bind by its host path; not the
 * bundle's /etc files nor the host's /dev/shm that --ipc host binds (Docker lists neither).
 */
function mountsOf(rec: ContainerRecord, spec: Spec | undefined): unknown[] {
  const volumes = new Map((rec.volumes ?? []).map((v) => [v.destination, v]));
  return (spec?.mounts ?? []).filter((m) => m.type === "bind" && !m.source?.startsWith(rec.bundle) && m.destination !== "/dev/shm").map((m) => {
    const rw = !(m.options ?? []).includes("ro");
    const v = volumes.get(m.destination);
    if (v) return { Type: "volume", Name: v.name, Source: m.source, Destination: m.destination, Driver: "local", Mode: "z", RW: rw, Propagation: "" };
    return { Type: "bind", Source: m.source, Destination: m.destination, Mode: "", RW: rw, Propagation: (m.options ?? []).find((o) => /^r?(private|shared|slave)$/.test(o)) ?? "rprivate" };
  });
}
