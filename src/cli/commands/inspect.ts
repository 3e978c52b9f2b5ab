// `bunbox inspect CONTAINER...`: Docker's shape of the facts bunbox keeps (a JSON array).
import { readFileSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { statusOf } from "../../runtime/lifecycle.ts";
import type { Spec } from "../../spec/schema.ts";
import { WORKDIR_ANNOTATION } from "../../spec/from-flags.ts";
import { describeError } from "../errors.ts";
import { parseTemplate, goMap, TemplateError } from "../template.ts";
import { str } from "../values.ts";
import { DEFAULT_LOG_OPTS } from "../../spec/log-opts.ts";

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
  const proc = spec?.process;
  const network = (spec?.linux?.namespaces ?? []).some((n) => n.type === "network") ? "none" : "host";
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.command[0] ?? "",
    Args: rec.command.slice(1),
    State: {
      Status: status,
      Running: status === "running" || status === "paused",
      Paused: status === "paused",
      Restarting: false,
      OOMKilled: rec.oomKilled ?? false,
      Dead: false,
      Pid: status === "running" || status === "paused" ? rec.pid ?? 0 : 0,
      ExitCode: rec.exitCode ?? 0,
      Error: "",
      StartedAt: rec.startedAt ?? ZERO_TIME,
      FinishedAt: rec.finishedAt ?? ZERO_TIME,
    },
    Image: rec.image,
    LogPath: rec.logPath ?? "",
    Name: `/${rec.name}`,
    // Where Docker puts it: "" on a host without AppArmor, "unconfined" for --privileged
    AppArmorProfile: proc?.apparmorProfile ?? "",
    HostConfig: {
      AutoRemove: rec.autoRemove ?? false,
      ReadonlyRootfs: spec?.root?.readonly ?? false,
      CapAdd: null,
      Privileged: (spec?.linux?.maskedPaths ?? []).length === 0,
      NetworkMode: network,
      LogConfig: { Type: "json-file", Config: rec.logPath ? rec.logConfig ?? DEFAULT_LOG_OPTS : {} },
    },
    Mounts: (spec?.mounts ?? []).filter((m) => m.type === "bind" && !m.source?.startsWith(rec.bundle)).map((m) => ({
      Type: "bind", Source: m.source, Destination: m.destination, RW: !(m.options ?? []).includes("ro"),
    })),
    Config: {
      Hostname: spec?.hostname ?? "",
      User: proc?.user ? `${proc.user.uid}:${proc.user.gid}` : "",
      Tty: proc?.terminal ?? false,
      Env: proc?.env ?? [],
      Cmd: rec.command,
      Image: rec.image,
      // Docker's is "" unless -w or the image set one (cwd is "/" then); older bundles lack the annotation
      WorkingDir: spec?.annotations?.[WORKDIR_ANNOTATION] ?? proc?.cwd ?? "",
      Labels: goMap({}),
    },
    // What `-f '{{.NetworkSettings.IPAddress}}'` scripts read: none and host networks have no address
    NetworkSettings: {
      Bridge: "", Ports: goMap({}), Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "",
      Networks: goMap({ [network]: { Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "" } }),
    },
    GraphDriver: { Name: "overlay2", Data: goMap({ UpperDir: `${rec.bundle}/upper`, WorkDir: `${rec.bundle}/work`, MergedDir: `${rec.bundle}/rootfs` }) },
  };
}
