// `bunbox import FILE [NAME]`, `bunbox images`, `bunbox rmi NAME|DIGEST...`
import { canonicalImageName, hasTag, repoTag } from "../../image/reference.ts";
import { existsSync } from "../../sys/files.ts";
import type { Context } from "../context.ts";
import { UsageError, ArgumentCountError } from "../../config/errors.ts";
import { table, timeAgo, humanSize } from "../format.ts";
import { str, bool } from "../values.ts";
import { containerUsing } from "../../runtime/image-users.ts";

export async function importCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("import", args);
  if (p.help) return 0;
  const [file, name] = p.args.map(String);
  if (!file) throw new ArgumentCountError(`"bunbox import" requires a file: bunbox import FILE [NAME]`);
  if (!existsSync(file)) throw new UsageError(`cannot import ${file}: no such file or directory`);
  const started = Date.now();
  let shown = false;
  const progress = (await ctx.stderrIsTTY())
    ? (bytes: number, entries: number) => {
      if (Date.now() - started < 1000) return;
      shown = true;
      ctx.err(`\rimporting ${file}: ${humanSize(bytes)}, ${entries} entries`);
    }
    : undefined;
  const image = await ctx.imageStore().importFile(file, name === undefined ? undefined : str(name), progress);
  if (shown) ctx.err("\n");
  ctx.out(`${image.digest}\n`);
  return 0;
}

export async function imagesCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("images", args);
  if (p.help) return 0;
  // docker images REPOSITORY[:TAG]: that repository's names, or that one name (busybox:latest is busybox)
  const wanted = p.args[0] === undefined ? undefined : String(p.args[0]);
  const only = wanted === undefined ? undefined : canonicalImageName(wanted);
  const shown = (name: string | undefined) => only === undefined || (name !== undefined && (name === only || (!hasTag(wanted!) && repoTag(name)[0] === only)));
  const rows = ctx.imageStore().list()
    .sort((a, b) => b.created.localeCompare(a.created))
    .flatMap((i) => (i.names.length ? i.names : [undefined]).filter(shown).map((name) => ({ name, image: i })));
  // A row per name, as Docker's: an image with two names is listed (and its id printed) twice
  if (p.options.quiet) {
    ctx.out(rows.map((r) => short(r.image.digest) + "\n").join(""));
    return 0;
  }
  ctx.out(table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows.map(({ name, image }) => [...(name === undefined ? ["<none>", "<none>"] : repoTag(name)), short(image.digest), timeAgo(image.created), humanSize(image.size)])));
  return 0;
}

export async function rmiCommand(args: string[], ctx: Context): Promise<number> {
  const p = ctx.parse("rmi", args);
  if (p.help) return 0;
  let status = 0;
  for (const ref of p.args.map(String)) {
    try {
      const removed = ctx.imageStore().remove(ref, { force: bool(p.options.force), usedBy: (rootfs) => containerUsing(ctx.containers(), rootfs) });
      // Docker names what it untagged in full: repository and tag
      for (const n of removed.untagged) ctx.out(`Untagged: ${repoTag(n).join(":")}\n`);
      if (removed.deleted) ctx.out(`Deleted: ${removed.digest}\n`);
    } catch (e) {
      ctx.err(`bunbox: ${(e as Error).message}\n`);
      // As Docker's CLI: with -f an image that is not there is said, but not a failure
      if (!(bool(p.options.force) && (e as Error).message.startsWith("No such image"))) status = 1;
    }
  }
  return status;
}

const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);
