// Content-addressed image store under <root>/images/:
//
//   index.json            names -> digest, source identity -> digest (store-index.ts)
//   lock                  flock for index changes and publishing images
//   tmp-<pid>-<rand>/     an import in progress: rootfs/ + meta.json
//   sha256/<hex>/         a finished image: rootfs/ (read-only layer) + meta.json
//
// The key is the sha256 of the decompressed tar stream, so the same image compressed two ways
// is stored once. An import extracts into a temp dir and renames it into place only after the
// whole stream parsed and extracted cleanly: a corrupt or truncated archive leaves nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "../sys/files.ts";
import { canonicalImageName } from "./reference.ts";
import { ImageError } from "./errors.ts";
import { removeTree } from "../sys/remove-tree.ts";
import { readIndex, updateIndex, withLock, writeAtomic } from "./store-index.ts";
import type { TarLimits } from "./tar-reader.ts";
import { SysError } from "../sys/errno.ts";
import * as fs from "../sys/fsat.ts";
import { AT } from "../sys/constants.ts";

export type ImageSource = { path: string } | { bytes: Uint8Array };

export interface ImportOptions {
  /** Also tag the image with this name (replacing the name's previous image). */
  name?: string;
  onProgress?: (p: { bytes: number; entries: number }) => void;
  limits?: Partial<TarLimits>;
}

export interface ImageInfo {
  digest: string;
  rootfs: string;
  /**
   * Beside rootfs: the layer over it that holds the empty files /etc/hosts, /etc/hostname and
   * /etc/resolv.conf are mounted onto, made by the first container that needs it and shared by
   * all (runtime/init-layer.ts); removed with the image.
   */
  initLayer: string;
  /** ISO time of the first import. */
  created: string;
  /** Bytes of decompressed tar stream. */
  size: number;
  entries: number;
  names: string[];
}

export interface ImportResult extends ImageInfo {
  /** False when the image was already in the store and nothing was extracted. */
  extracted: boolean;
}

interface Meta { digest: string; created: string; size: number; entries: number }

const NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/:@+]{0,254}$/;

/** The index's key for `ref`: its canonical name, or the name as given (one stored before names were made canonical). */
function nameKey(names: Record<string, string>, ref: string): string | undefined {
  const canonical = canonicalImageName(ref);
  for (const key of [canonical, ref, `${canonical}:latest`]) if (key in names) return key;
  return undefined;
}

function nameIn(names: Record<string, string>, ref: string): string | undefined {
  const key = nameKey(names, ref);
  return key === undefined ? undefined : names[key];
}

export class ImageStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = `${root}/images`;
  }

  private get lockPath() { return `${this.dir}/lock`; }
  private get indexPath() { return `${this.dir}/index.json`; }
  private imageDir(digest: string) { return `${this.dir}/sha256/${digest.slice(7)}`; }

  async importArchive(source: ImageSource, given: ImportOptions = {}): Promise<ImportResult> {
    if (given.name !== undefined && !NAME.test(given.name)) throw new ImageError(`invalid image name "${given.name}"`);
    const opts = given.name === undefined ? given : { ...given, name: canonicalImageName(given.name) };
    mkdirSync(`${this.dir}/sha256`, { recursive: true, mode: 0o700 });
    const sourceKey = identify(source);
    const known = readIndex(this.indexPath).sources[sourceKey];
    if (known && existsSync(this.imageDir(known))) {
      this.record(sourceKey, known, opts.name);
      return { ...this.info(known), extracted: false };
    }
    this.removeStaleTemps();
    const tmp = `${this.dir}/tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    mkdirSync(`${tmp}/rootfs`, { recursive: true, mode: 0o755 });
    let published = false;
    try {
      const hasher = new Bun.CryptoHasher("sha256");
      // The tar reader and extractor load only for an import: resolving an image (every run) skips them
      const [{ extractArchive }, { bytesChunks, fileChunks }] = await Promise.all([import("./extract.ts"), import("./source.ts")]);
      // The extractor and the hash are done with a chunk when they ask for the next: one buffer does
      const fromFile = "path" in source;
      const chunks = fromFile ? fileChunks(source.path, undefined, true) : bytesChunks(source.bytes);
      const r = await extractArchive(chunks, `${tmp}/rootfs`, {
        ...opts.limits,
        srcReusesChunks: fromFile,
        onChunk: (c) => hasher.update(c),
        onProgress: opts.onProgress,
      });
      const digest = `sha256:${hasher.digest("hex")}`;
      const meta: Meta = { digest, created: new Date().toISOString(), size: r.bytes, entries: r.entries };
      writeAtomic(`${tmp}/meta.json`, JSON.stringify(meta, null, 2) + "\n");
      published = this.publish(tmp, digest);
      this.record(sourceKey, digest, opts.name);
      return { ...this.info(digest), extracted: published };
    } finally {
      if (!published) removeTree(tmp);
    }
  }

  listImages(): ImageInfo[] {
    const base = `${this.dir}/sha256`;
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .filter((h) => /^[0-9a-f]{64}$/.test(h))
      .map((h) => this.info(`sha256:${h}`))
      .sort((a, b) => a.created.localeCompare(b.created) || a.digest.localeCompare(b.digest));
  }

  /** A name (busybox:latest is busybox: reference.ts), a full digest ("sha256:<hex>" or "<hex>"), or a unique hex prefix of one. */
  resolveImage(ref: string): ImageInfo {
    const named = nameIn(readIndex(this.indexPath).names, ref);
    if (named && existsSync(this.imageDir(named))) return this.info(named);
    const hex = ref.startsWith("sha256:") ? ref.slice(7) : ref;
    if (/^[0-9a-f]{1,64}$/.test(hex)) {
      const base = `${this.dir}/sha256`;
      const all = existsSync(base) ? readdirSync(base) : [];
      const hits = all.filter((h) => h.startsWith(hex) && /^[0-9a-f]{64}$/.test(h));
      if (hits.length === 1) return this.info(`sha256:${hits[0]}`);
      if (hits.length > 1) throw new ImageError(`image reference "${ref}" is ambiguous: ${hits.length} images match`);
    }
    throw new ImageError(`No such image: ${ref}`);
  }

  /**
   * By name: drop the name, and the image too if no other name points at it (docker rmi).
   * By digest or prefix: drop the image and every name pointing at it.
   * An image a container still uses (usedBy names it) is never deleted: that container's root
   * would go with it. Without force nothing changes (Docker's conflict); with force the names go
   * and the image stays, nameless, until no container needs it.
   */
  removeImage(ref: string, opts: { force?: boolean; usedBy?: (rootfs: string) => string | undefined } = {}): { digest: string; untagged: string[]; deleted: boolean } {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const trash = `${this.dir}/tmp-${process.pid}-rm${Math.random().toString(36).slice(2, 10)}`;
    const out = updateIndex(this.lockPath, this.indexPath, (ix) => {
      const name = nameKey(ix.names, ref);
      const byName = name === undefined ? undefined : ix.names[name];
      const digest = byName ?? this.resolveImage(ref).digest;
      const untagged = name !== undefined ? [name] : Object.keys(ix.names).filter((n) => ix.names[n] === digest);
      const lastName = Object.values(ix.names).filter((d) => d === digest).length === untagged.length;
      const user = lastName ? opts.usedBy?.(`${this.imageDir(digest)}/rootfs`) : undefined;
      if (user && !opts.force) {
        const what = byName ? `remove repository reference "${ref}"` : `delete ${digest.slice(7, 19)}`;
        throw new ImageError(`conflict: unable to ${what} (must force) - container ${user} is using its referenced image ${digest.slice(7, 19)}`);
      }
      for (const n of untagged) delete ix.names[n];
      const deleted = !user && !Object.values(ix.names).includes(digest);
      if (deleted) {
        for (const [k, d] of Object.entries(ix.sources)) if (d === digest) delete ix.sources[k];
        if (existsSync(this.imageDir(digest))) fs.renameat(AT.FDCWD, this.imageDir(digest), AT.FDCWD, trash);
      }
      return { digest, untagged, deleted };
    });
    removeTree(trash);
    return out;
  }

  /** Rename the finished temp dir into place; false if the image already exists. */
  private publish(tmp: string, digest: string): boolean {
    return withLock(this.lockPath, () => {
      if (existsSync(this.imageDir(digest))) return false;
      fs.renameat(AT.FDCWD, tmp, AT.FDCWD, this.imageDir(digest));
      return true;
    });
  }

  private record(sourceKey: string, digest: string, name?: string): void {
    updateIndex(this.lockPath, this.indexPath, (ix) => {
      ix.sources[sourceKey] = digest;
      if (name !== undefined) ix.names[name] = digest;
    });
  }

  private info(digest: string): ImageInfo {
    const dir = this.imageDir(digest);
    let meta: Meta;
    try {
      meta = JSON.parse(readFileSync(`${dir}/meta.json`, "utf8"));
    } catch (e) {
      throw new ImageError(`image ${digest} is damaged: cannot read ${dir}/meta.json (${(e as Error).message})`);
    }
    const ix = readIndex(this.indexPath);
    const names = Object.keys(ix.names).filter((n) => ix.names[n] === digest).sort();
    return { digest, rootfs: `${dir}/rootfs`, initLayer: `${dir}/init`, created: meta.created, size: meta.size, entries: meta.entries, names };
  }

  /**
   * Temp dirs of imports (and removals) whose process died (kill -9, Ctrl-C) are garbage; only
   * those: a live import's stays. Called before each import and by `bunbox gc`.
   */
  removeStaleTemps(): string[] {
    const removed: string[] = [];
    let names: string[];
    try { names = readdirSync(this.dir); } catch { return removed; /* no images yet */ }
    for (const n of names) {
      const m = /^tmp-(\d+)-[0-9a-z]+$/.exec(n);
      if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
      removeTree(`${this.dir}/${n}`);
      removed.push(`${this.dir}/${n}`);
    }
    return removed;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** Identity of a source that is cheap to compute: a file's (dev, ino, size, mtime), or the hash of bytes. */
function identify(source: ImageSource): string {
  if ("bytes" in source) {
    return `bytes:${new Bun.CryptoHasher("sha256").update(source.bytes).digest("hex")}`;
  }
  try {
    const st = statSync(source.path, { bigint: true });
    return `file:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch (e) {
    const code = (e as { errno?: number }).errno;
    if (typeof code === "number") throw new SysError("stat", Math.abs(code), source.path);
    throw e;
  }
}
