// Safe extraction of a tar stream into a directory, as root. Nothing is written outside the
// target: names are normalised (paths.ts), parents are resolved inside the root through fds
// (resolver.ts), and the final component is always created relative to its parent fd with
// O_NOFOLLOW / *at calls, so no symlink in the archive can redirect a write.
//
// Semantics follow GNU tar -xp --numeric-owner --xattrs: owners kept, chmod after chown (chown
// clears setuid), xattrs after chown (chown drops security.capability), directory metadata at
// the end (creating children changes a directory's mtime). A later entry replaces an earlier
// non-directory; a directory met again stays a directory; a directory is replaced only if empty.
import { ImageError, printable } from "./errors.ts";
import { decompress } from "./decompress.ts";
import { normalizeName, splitParent } from "./paths.ts";
import { DirResolver } from "./resolver.ts";
import { TarParser, type TarEntry, type TarLimits, type TarSink } from "./tar-reader.ts";
import { readdirSync, statSync } from "../sys/files.ts";
import { SysError } from "../sys/errno.ts";
import * as fs from "../sys/fsat.ts";
import { AT, O, S } from "../sys/constants.ts";

export interface ExtractOptions extends Partial<TarLimits> {
  /** Keep the archive's uid/gid (needs root). Default: true when running as root. */
  sameOwner?: boolean;
  /** Sees every decompressed chunk of the tar stream, in order (the store hashes it). */
  onChunk?: (chunk: Uint8Array) => void;
  /** Called about every 4 MiB of tar stream and at the end. */
  onProgress?: (p: { bytes: number; entries: number }) => void;
  /** src refills one buffer: each chunk is valid until the next is read (source.ts, `reuse`). */
  srcReusesChunks?: boolean;
}

export interface ExtractResult {
  entries: number;
  /** user.* xattrs the target filesystem would not take. */
  skippedXattrs: number;
  /** Bytes of (decompressed) tar stream read. */
  bytes: number;
}

const S_TYPE = { char: S.IFCHR, block: S.IFBLK, fifo: S.IFIFO } as const;

/** The TarSink that writes entries; synchronous so that an entry costs no promise. */
export class Extractor implements TarSink {
  private readonly rootfd: number;
  private readonly dirs: DirResolver;
  private readonly sameOwner: boolean;
  private fd = -1; // the regular file being written
  /** user.* xattrs the target filesystem refused (see xattr()). */
  skippedXattrs = 0;
  /**
   * Into a fresh, non-setgid target, a file we create is ours (euid/egid) with exactly the
   * create mode (umask permitting): then fchown/fchmod are skipped when they would change
   * nothing. Directories made here get their setgid bits only at finish(), so they cannot
   * change a new file's group meanwhile.
   */
  private readonly fresh: boolean;
  private readonly euid = process.geteuid?.() ?? -1;
  private readonly egid = process.getegid?.() ?? -1;
  private readonly umask: number;
  /** Directory metadata applied at the end, by canonical path (later entries win). */
  private deferred = new Map<string, TarEntry>();

  constructor(target: string, opts: { sameOwner?: boolean } = {}) {
    this.rootfd = fs.openat(AT.FDCWD, target, O.RDONLY | O.DIRECTORY);
    this.dirs = new DirResolver(this.rootfd);
    this.sameOwner = opts.sameOwner ?? process.geteuid?.() === 0;
    this.fresh = readdirSync(target).length === 0 && (statSync(target).mode & 0o2000) === 0;
    this.umask = process.umask();
  }

  entry(e: TarEntry): void {
    const key = normalizeName(e.name, () => `entry "${e.name}" (offset ${e.offset})`);
    try {
      this.create(e, key);
    } catch (err) {
      throw located(err, e);
    }
  }

  data(chunk: Uint8Array, e: TarEntry): void {
    try {
      fs.writeAll(this.fd, chunk);
    } catch (err) {
      throw located(err, e);
    }
  }

  end(e: TarEntry): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      const chown = this.sameOwner && !(this.fresh && e.uid === this.euid && e.gid === this.egid);
      if (chown) fs.fchown(fd, e.uid, e.gid);
      if (chown || !this.fresh || (e.mode & ~0o777) !== 0 || (e.mode & this.umask) !== 0) fs.fchmod(fd, e.mode);
      for (const [k, v] of e.xattrs) this.xattr(k, () => fs.fsetxattr(fd, k, v));
      fs.futimens(fd, e.mtime, e.atime);
    } catch (err) {
      throw located(err, e);
    } finally {
      fs.close(fd);
    }
  }

  /** Apply deferred directory metadata, deepest first, then release every fd. */
  finish(): void {
    const keys = [...this.deferred.keys()].reverse();
    for (const key of keys) {
      const e = this.deferred.get(key)!;
      try {
        if (key === "") {
          this.ownAndMode(this.rootfd, e);
          fs.futimens(this.rootfd, e.mtime, e.atime);
          continue;
        }
        const [parent, base] = splitParent(key);
        const fd = fs.openat(this.dirs.dir(parent), base, O.RDONLY | O.DIRECTORY | O.NOFOLLOW);
        try {
          this.ownAndMode(fd, e);
          fs.futimens(fd, e.mtime, e.atime);
        } finally {
          fs.close(fd);
        }
      } catch (err) {
        throw located(err, e);
      }
    }
    this.deferred.clear();
  }

  close(): void {
    if (this.fd >= 0) fs.close(this.fd);
    this.fd = -1;
    this.dirs.invalidate();
    fs.close(this.rootfd);
  }

  private create(e: TarEntry, key: string): void {
    if (key === "") {
      if (e.type !== "dir") throw new ImageError(`entry "${e.name}" (offset ${e.offset}) names the root as a ${e.type}`);
      this.deferred.set("", e);
      return;
    }
    const [parent, base] = splitParent(key);
    if (e.type === "hardlink") return this.hardlink(e, parent, base, key);
    const p = this.dirs.dir(parent);
    switch (e.type) {
      case "file": {
        const flags = O.WRONLY | O.CREAT | O.EXCL | O.NOFOLLOW;
        this.fd = this.retry(p, base, key, () => fs.openat(p, base, flags, e.mode & 0o777));
        return;
      }
      case "dir":
        this.mkdir(p, base, key);
        this.deferred.set(key, e);
        return;
      case "symlink":
        this.retry(p, base, key, () => fs.symlinkat(e.linkname, p, base));
        this.ownAt(p, base, e);
        fs.utimensat(p, base, e.mtime, e.atime);
        return;
      default: {
        this.retry(p, base, key, () => fs.mknodat(p, base, S_TYPE[e.type] | (e.mode & 0o777), e.devmajor, e.devminor));
        this.ownAt(p, base, e);
        fs.fchmodat(p, base, e.mode);
        this.xattrsAt(p, base, e);
        fs.utimensat(p, base, e.mtime, e.atime);
      }
    }
  }

  private mkdir(p: number, base: string, key: string): void {
    try {
      fs.mkdirat(p, base, 0o700);
      return;
    } catch (err) {
      if (!(err instanceof SysError) || err.code !== "EEXIST") throw err;
    }
    // Something is there: a directory stays; anything else is replaced.
    try {
      fs.close(fs.openat(p, base, O.PATH | O.DIRECTORY | O.NOFOLLOW));
      return;
    } catch (err) {
      if (!(err instanceof SysError) || (err.code !== "ENOTDIR" && err.code !== "ELOOP")) throw err;
    }
    this.remove(p, base, key);
    fs.mkdirat(p, base, 0o700);
  }

  private hardlink(e: TarEntry, parent: string, base: string, key: string): void {
    const target = normalizeName(e.linkname, () => `hardlink "${e.name}" (offset ${e.offset})`);
    if (target === "") throw new ImageError(`hardlink "${e.name}" (offset ${e.offset}) points at the root`);
    if (target === key) return; // a link to itself: GNU tar keeps the file as is
    const [tparent, tbase] = splitParent(target);
    const q = this.dirs.dir(tparent);
    const p = this.dirs.dir(parent); // after q: the cache keeps its two newest fds
    try {
      this.retry(p, base, key, () => fs.linkat(q, tbase, p, base, 0));
    } catch (err) {
      if (err instanceof SysError && err.code === "ENOENT") {
        throw new ImageError(`hardlink "${e.name}" (offset ${e.offset}) points at "${e.linkname}", which is not in the archive before it`);
      }
      throw err;
    }
  }

  /** Run create(); if the name exists, remove what is there (GNU tar's default) and retry once. */
  private retry<T>(p: number, base: string, key: string, create: () => T): T {
    try {
      return create();
    } catch (err) {
      if (!(err instanceof SysError) || err.code !== "EEXIST") throw err;
    }
    this.remove(p, base, key);
    return create();
  }

  private remove(p: number, base: string, key: string): void {
    try {
      fs.unlinkat(p, base, 0);
    } catch (err) {
      if (!(err instanceof SysError) || err.code !== "EISDIR") throw err;
      try {
        fs.unlinkat(p, base, AT.REMOVEDIR);
      } catch (err2) {
        if (err2 instanceof SysError && (err2.code === "ENOTEMPTY" || err2.code === "EEXIST")) {
          throw new ImageError(`cannot replace non-empty directory "${key}"`);
        }
        throw err2;
      }
      this.deferred.delete(key);
    }
    // A removed symlink or directory may sit on a cached path.
    this.dirs.invalidate();
  }

  private ownAndMode(fd: number, e: TarEntry): void {
    if (this.sameOwner) fs.fchown(fd, e.uid, e.gid);
    fs.fchmod(fd, e.mode);
    for (const [k, v] of e.xattrs) this.xattr(k, () => fs.fsetxattr(fd, k, v));
  }

  private ownAt(p: number, base: string, e: TarEntry): void {
    if (this.sameOwner) fs.fchownat(p, base, e.uid, e.gid, AT.SYMLINK_NOFOLLOW);
    if (e.type === "symlink") this.xattrsAt(p, base, e);
  }

  private xattrsAt(p: number, base: string, e: TarEntry): void {
    for (const [k, v] of e.xattrs) this.xattr(k, () => fs.lsetxattrAt(p, base, k, v));
  }

  /**
   * user.* xattrs are advisory and some filesystems refuse them (tmpfs before Linux 6.6): skip
   * and count those, as GNU tar warns and goes on. security.* (file capabilities) and trusted.*
   * change what the image does, so failing to set them fails the extraction.
   */
  private xattr(key: string, set: () => void): void {
    try {
      set();
    } catch (err) {
      if (key.startsWith("user.") && err instanceof SysError && (err.code === "EOPNOTSUPP" || err.code === "EPERM")) {
        this.skippedXattrs++;
        return;
      }
      throw err;
    }
  }
}

/** Give a kernel error the entry's full name and offset; ImageErrors already say where. */
function located(err: unknown, e: TarEntry): unknown {
  if (err instanceof SysError) {
    const s = new SysError(err.syscall, err.errno, `"${printable(e.name)}" (entry at offset ${e.offset})`);
    return s;
  }
  if (err instanceof ImageError && !/offset \d+/.test(err.message)) {
    return new ImageError(`${err.message} (entry "${e.name}", offset ${e.offset})`);
  }
  return err;
}

/**
 * Extract a (possibly compressed) tar stream into `target`, an existing directory. On error the
 * target is left partly written: callers extract into a temp dir and remove it (store.ts).
 */
export async function extractArchive(
  src: AsyncIterable<Uint8Array>,
  target: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const x = new Extractor(target, opts);
  const parser = new TarParser(x, opts);
  const step = 4 * 1024 * 1024;
  let nextReport = step;
  try {
    try {
      for await (const chunk of decompress(src, undefined, opts.srcReusesChunks)) {
        opts.onChunk?.(chunk);
        parser.push(chunk);
        if (opts.onProgress && parser.offset >= nextReport) {
          nextReport = parser.offset + step;
          opts.onProgress({ bytes: parser.offset, entries: parser.entries });
        }
      }
    } catch (e) {
      // Decompression errors know nothing of tar: say where in the archive they hit.
      if (e instanceof ImageError && !/offset \d+/.test(e.message)) {
        throw new ImageError(`${e.message} (in ${parser.where()}, stream offset ${parser.offset})`);
      }
      throw e;
    }
    parser.finish();
    x.finish();
  } finally {
    x.close();
  }
  opts.onProgress?.({ bytes: parser.offset, entries: parser.entries });
  return { entries: parser.entries, bytes: parser.offset, skippedXattrs: x.skippedXattrs };
}
