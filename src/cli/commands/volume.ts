// `bunbox volume create|ls|inspect|rm|prune`, Docker's local volumes under the state root
// (state/volumes.ts). A volume is in use while any container, running or not, mounts it;
// Docker's daemon errors end these commands with status 1.
import type { Context } from "../context.ts";
import { VolumeStore, volumesDirFor, type VolumeInfo } from "../../state/volumes.ts";
import { checkVolumeName } from "../../config/volumes.ts";
import { parseLabels } from "../../config/container-config.ts";
import { newId } from "../../state/ids.ts";
import { RuntimeError } from "../../runtime/errors.ts";
import { describeError } from "../errors.ts";
import { parseTemplate } from "../template.ts";
import { formatRows } from "../row-template.ts";
import { table, humanSize } from "../format.ts";
import { confirm } from "./confirm.ts";
import { lstatSync, readdirSync } from "../../sys/files.ts";
import { bool, list, str } from "../values.ts";

const volumes = (ctx: Context) => new VolumeStore(volumesDirFor(ctx.paths.containers));

/** Volume name → ids of the containers that mount it. */
function users(ctx: Context): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rec of ctx.containers().list()) for (const v of rec.volumes ?? []) out.set(v.name, [...(out.get(v.name) ?? []), rec.id]);
  return out;
}

/** What `volume inspect` shows (Docker's fields; Labels and Options null for an anonymous volume). */
function describe(store: VolumeStore, v: VolumeInfo): Record<string, unknown> {
  return { CreatedAt: v.CreatedAt, Driver: "local", Labels: v.Labels, Mountpoint: store.dataPath(v.Name), Name: v.Name, Options: v.Labels === null ? null : {}, Scope: "local" };
}

export async function volumeCreateCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("volume-create", args);
  if (p.help) return 0;
  const driver = str(p.options.driver);
  if (driver !== undefined && driver !== "local") throw new RuntimeError(`create: volume driver "${driver}" not found: bunbox has only the local driver`, 1);
  if (list(p.options.opt).length) throw new RuntimeError("create: the local driver here takes no options (-o)", 1);
  const name = p.args[0] ?? newId();
  try { checkVolumeName(name); } catch (e) { throw new RuntimeError(`create ${name}: ${(e as Error).message}`, 1); }
  volumes(ctx).ensure(name, { labels: parseLabels(list(p.options.label), []) });
  ctx.out(`${name}\n`);
  return 0;
}

export async function volumeLsCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("volume-ls", args);
  if (p.help) return 0;
  const store = volumes(ctx);
  const used = users(ctx);
  const match = volumeFilter(list(p.options.filter), used);
  const found = store.list().filter(match);
  if (bool(p.options.quiet)) {
    ctx.out(found.map((v) => v.Name + "\n").join(""));
    return 0;
  }
  const rows = found.map((v) => {
    const labels = v.Labels ?? {};
    return { Name: v.Name, Driver: "local", Scope: "local", Mountpoint: store.dataPath(v.Name), CreatedAt: v.CreatedAt, Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",") };
  });
  const format = str(p.options.format);
  if (format === "json") {
    ctx.out(rows.map((r) => JSON.stringify(r) + "\n").join(""));
  } else if (format !== undefined && format !== "" && format !== "table") {
    ctx.out(formatRows(format, rows, { Name: "VOLUME NAME", Driver: "DRIVER", Scope: "SCOPE", Mountpoint: "MOUNTPOINT", CreatedAt: "CREATED", Labels: "LABELS" }));
  } else {
    ctx.out(table(["DRIVER", "VOLUME NAME"], rows.map((r) => [r.Driver, r.Name])));
  }
  return 0;
}

/** docker volume ls --filter: dangling (used by no container), name (a substring), label, driver. */
function volumeFilter(filters: string[], used: Map<string, string[]>): (v: VolumeInfo) => boolean {
  const checks = filters.map((f): ((v: VolumeInfo) => boolean) => {
    const eq = f.indexOf("=");
    if (eq < 1) throw new RuntimeError(`bad format of filter (expected name=value): ${f}`, 1);
    const key = f.slice(0, eq), value = f.slice(eq + 1);
    switch (key) {
      case "dangling": {
        if (!["true", "false", "1", "0"].includes(value)) throw new RuntimeError(`invalid filter 'dangling=${value}'`, 1);
        const dangling = value === "true" || value === "1";
        return (v) => !used.has(v.Name) === dangling;
      }
      case "name": return (v) => v.Name.includes(value);
      case "driver": return () => value === "local";
      case "label": {
        const at = value.indexOf("=");
        return (v) => {
          const labels = v.Labels ?? {};
          const k = at < 0 ? value : value.slice(0, at);
          return Object.hasOwn(labels, k) && (at < 0 || labels[k] === value.slice(at + 1));
        };
      }
      default: throw new RuntimeError(`invalid filter '${key}'`, 1);
    }
  });
  return (v) => checks.every((c) => c(v));
}

export async function volumeInspectCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("volume-inspect", args);
  if (p.help) return 0;
  const format = str(p.options.format);
  const template = format ? parseTemplate(format) : undefined;
  const store = volumes(ctx);
  const out: unknown[] = [];
  let status = 0;
  for (const name of p.args.map(String)) {
    try {
      const d = describe(store, store.resolve(name));
      if (template) ctx.out(template.execute(d) + "\n");
      else out.push(d);
    } catch (e) {
      ctx.err(`bunbox: ${describeError(e, "volume inspect").message}\n`);
      status = 1;
    }
  }
  if (!template) ctx.out(JSON.stringify(out, null, 4) + "\n");
  return status;
}

export async function volumeRmCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("volume-rm", args);
  if (p.help) return 0;
  const store = volumes(ctx);
  const used = users(ctx);
  let status = 0;
  for (const name of p.args.map(String)) {
    if (!store.get(name)) {
      if (!bool(p.options.force)) { ctx.err(`bunbox: no such volume: ${name}\n`); status = 1; }
      continue;
    }
    const by = used.get(name);
    if (by) {
      ctx.err(`bunbox: remove ${name}: volume is in use - [${by.join(", ")}]\n`);
      status = 1;
      continue;
    }
    store.remove(name);
    ctx.out(`${name}\n`);
  }
  return status;
}

export async function volumePruneCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("volume-prune", args);
  if (p.help) return 0;
  if (!bool(p.options.force) && !confirm(ctx, "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ")) return 0;
  const filters = list(p.options.filter);
  for (const f of filters) if (!f.startsWith("label=")) throw new RuntimeError(`invalid filter '${f.split("=")[0]}'`, 1);
  const store = volumes(ctx);
  const used = users(ctx);
  const match = volumeFilter(filters, used);
  const removed: string[] = [];
  let bytes = 0;
  for (const v of store.list()) {
    if (used.has(v.Name) || !match(v)) continue;
    bytes += treeSize(store.dataPath(v.Name));
    store.remove(v.Name);
    removed.push(v.Name);
  }
  ctx.out(`${removed.length ? `Deleted Volumes:\n${removed.map((n) => n + "\n").join("")}\n` : ""}Total reclaimed space: ${humanSize(bytes)}\n`);
  return 0;
}

/** Bytes of the regular files below `path` (what prune reports as reclaimed), without following links. */
function treeSize(path: string, depth = 0): number {
  if (depth > 256) return 0;
  let total = 0;
  let names: string[] = [];
  try { names = readdirSync(path); } catch { return 0; }
  for (const n of names) {
    try {
      const st = lstatSync(`${path}/${n}`);
      if (st.isDirectory()) total += treeSize(`${path}/${n}`, depth + 1);
      else if (st.isFile()) total += st.size;
    } catch { /* gone meanwhile */ }
  }
  return total;
}
