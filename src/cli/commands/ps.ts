// `bunbox ps [-a] [-q] [--format json]`, with docker ps's columns and wording.
import { canonicalImageName } from "../../image/reference.ts";
import type { Context } from "../context.ts";
import { readFileSync } from "../../sys/files.ts";
import { statusOf, isRestarting, isUnmonitored } from "../../runtime/lifecycle.ts";
import { finishOrphanedRemovals } from "../../runtime/gc.ts";
import type { ContainerRecord } from "../../state/containers.ts";
import { goTimeString, humanDuration, table, timeAgo } from "../format.ts";
import { bool, list, str } from "../values.ts";
import { UsageError } from "../../config/errors.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { formatRows } from "../row-template.ts";
import { procpsSafe } from "../sanitize.ts";

export async function psCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("ps", args);
  if (p.help) return 0;
  const last = bool(p.options.latest) ? 1 : lastCount(str(p.options.last));
  const all = bool(p.options.all) || last !== undefined;
  const matches = containerFilter(list(p.options.filter));
  const truncate = p.options.trunc !== false;
  const store = ctx.containers();
  let records = store.list();
  // --rm containers whose bunbox was killed: their removal finished here, as Docker's daemon does it
  const orphans = await finishOrphanedRemovals(store, records);
  if (orphans.length) records = records.filter((r) => !orphans.includes(r.id));
  const found = records
    // Ended and about to be started again by its --restart policy: Docker's "restarting"
    .map((rec) => ({ rec, status: isRestarting(rec) ? "restarting" : statusOf(rec) }))
    .filter(({ status }) => all || status === "running" || status === "paused" || status === "restarting")
    .filter(({ rec, status }) => matches(rec, status))
    .sort((a, b) => b.rec.created.localeCompare(a.rec.created))
    .slice(0, last);
  if (bool(p.options.quiet)) {
    ctx.out(found.map(({ rec }) => (truncate ? rec.id.slice(0, 12) : rec.id) + "\n").join(""));
    return 0;
  }
  const format = str(p.options.format);
  const rows = found.map(({ rec, status }) => psRow(rec, status, truncate));
  if (format === "json") {
    for (const row of rows) ctx.out(JSON.stringify(row) + "\n");
    return 0;
  }
  if (format !== undefined && format !== "" && format !== "table") {
    ctx.out(templateRows(format, rows));
    return 0;
  }
  const cells = rows.map((r) => [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names]);
  ctx.out(table(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], cells));
  return 0;
}

/** What `docker ps --format` templates see of a container (its ContainerContext's fields). */
function psRow(rec: ContainerRecord, status: string, truncate: boolean): Record<string, string> {
  const labels = rec.labels ?? {};
  const row: Record<string, string> = {
    ID: truncate ? rec.id.slice(0, 12) : rec.id, Image: rec.image, Command: quoteCommand(rec.command, truncate), CreatedAt: goTimeString(rec.created),
    RunningFor: timeAgo(rec.created), Names: rec.name, State: status, Status: describeStatus(rec, status),
    Ports: "", Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(","), Mounts: (rec.volumes ?? []).map((v) => (truncate ? v.name.slice(0, 15) : v.name)).join(","), Networks: "", LocalVolumes: String(rec.volumes?.length ?? 0), Size: "0B",
  };
  // {{.Label "com.example.key"}}: a method in Docker's ContainerContext; not in --format json
  Object.defineProperty(row, "Label", { value: (name: unknown) => labels[String(name)] ?? "", enumerable: false });
  return row;
}

/** Each column's header when a `table` template names it (Docker's headers for those fields). */
const HEADERS: Record<string, string> = {
  ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED", Names: "NAMES",
  State: "STATE", Status: "STATUS", Ports: "PORTS", Labels: "LABELS", Mounts: "MOUNTS", Networks: "NETWORKS",
  LocalVolumes: "LOCAL VOLUMES", Size: "SIZE",
};

/** ps's rows for a template: the command is the container's (its image's, or whatever it was given), no raw escapes. */
function templateRows(format: string, rows: Record<string, string>[]): string {
  const safe = rows.map((r) => Object.defineProperty({ ...r, Command: procpsSafe(r.Command!) }, "Label", { value: r.Label, enumerable: false }));
  // Docker's header for {{.Label "com.example.some-key"}}: the last part of the key, "SOME KEY"
  const label = (name: unknown) => String(name).split(".").at(-1)!.replace(/[-_]/g, " ").toUpperCase();
  return formatRows(format, safe, Object.defineProperty({ ...HEADERS }, "Label", { value: label, enumerable: false }));
}

/** Docker truncates the command to 20 characters, with an ellipsis, inside double quotes. */
export function quoteCommand(args: string[], truncate = true): string {
  // The daemon's: an argument after the first that holds a space goes in single quotes
  // (`sh -c 'exit 3'`); then the CLI's ellipsis and Go's strconv.Quote
  const [path = "", ...rest] = args;
  const cmd = [path, ...rest.map((a) => (a.includes(" ") ? `'${a}'` : a))].join(" ");
  const shown = truncate && [...cmd].length > 20 ? [...cmd].slice(0, 19).join("") + "…" : cmd;
  return `"${shown.replace(/[\\"]/g, "\\$&")}"`;
}

function lastCount(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "-n, --last" flag: not an integer`);
  // Docker: -1 (its default) and 0 both mean no limit
  return Number(v) <= 0 ? undefined : Number(v);
}

const STATUSES = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

/**
 * docker ps --filter: the same key given twice matches either value, different keys must all
 * match. name= is a regular expression found anywhere in the name (Docker's), id= a prefix.
 * label= is Docker's exception: every label filter must match, label=KEY by the key alone,
 * label=KEY=VALUE by the key with that exact value.
 */
export function containerFilter(filters: string[]): (rec: ContainerRecord, status: string) => boolean {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const eq = f.indexOf("=");
    // Docker's daemon answers a filter it does not take with exit status 1
    if (eq < 1) throw new RuntimeError(`bad format of filter (expected name=value): ${f}`, 1);
    const key = f.slice(0, eq), value = f.slice(eq + 1);
    if (!["id", "name", "status", "exited", "ancestor", "label", "volume"].includes(key)) throw new RuntimeError(`invalid filter '${key}'`, 1);
    if (key === "status" && !STATUSES.includes(value)) throw new RuntimeError(`invalid filter 'status=${value}': one of ${STATUSES.join(", ")}`, 1);
    if (key === "exited" && !/^\d+$/.test(value)) throw new RuntimeError(`invalid filter 'exited=${value}': an exit code`, 1);
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const name = (byKey.get("name") ?? []).map((v) => {
    try { return new RegExp(v); } catch { throw new RuntimeError(`invalid filter 'name=${v}': not a regular expression`, 1); }
  });
  return (rec, status) => [...byKey.keys()].every((key) => {
    const values = byKey.get(key)!;
    switch (key) {
      case "id": return values.some((v) => rec.id.startsWith(v));
      // Docker's names start with "/": name=^/web matches as name=^web does
      case "name": return name.some((re) => re.test(rec.name) || re.test(`/${rec.name}`));
      case "status": return values.includes(status);
      case "exited": return status === "exited" && values.some((v) => Number(v) === rec.exitCode);
      case "ancestor": return values.some((v) => v === rec.image || canonicalImageName(v) === canonicalImageName(rec.image));
      case "label": return values.every((v) => labelMatches(rec.labels ?? {}, v));
      // Docker's: a volume's name, or the destination of any of its volumes and bind mounts
      case "volume": return values.some((v) => (rec.volumes ?? []).some((m) => m.name === v || m.destination === v) || mountDestinations(rec).includes(v));
      default: return false;
    }
  });
}

/** The container's bind mount destinations (its config.json), for ps -f volume=/path. */
function mountDestinations(rec: ContainerRecord): string[] {
  try {
    const spec = JSON.parse(readFileSync(`${rec.bundle}/config.json`, "utf8")) as { mounts?: { destination: string; type: string; source?: string }[] };
    return (spec.mounts ?? []).filter((m) => m.type === "bind" && !m.source?.startsWith(rec.bundle)).map((m) => m.destination);
  } catch {
    return [];
  }
}

function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf("=");
  const key = eq < 0 ? filter : filter.slice(0, eq);
  return Object.hasOwn(labels, key) && (eq < 0 || labels[key] === filter.slice(eq + 1));
}

export function describeStatus(rec: ContainerRecord, status: string, now = Date.now()): string {
  const since = (iso?: string) => humanDuration(Math.max(0, Math.round((now - Date.parse(iso ?? rec.created)) / 1000)));
  switch (status) {
    // Its monitor was killed: it runs on, but nothing records its output or its end
    case "running": return `Up ${since(rec.startedAt)}${isUnmonitored(rec) ? " (unmonitored)" : ""}`;
    case "paused": return `Up ${since(rec.startedAt)} (Paused)${isUnmonitored(rec) ? " (unmonitored)" : ""}`;
    case "created": return "Created";
    case "restarting": return `Restarting (${rec.exitCode ?? 0}) ${since(rec.finishedAt)} ago`;
    default: {
      const code = rec.exitCode === undefined || rec.exitCode < 0 ? "unknown" : String(rec.exitCode);
      return `Exited (${code}) ${since(rec.finishedAt)} ago${rec.oomKilled ? " (OOMKilled)" : ""}`;
    }
  }
}
