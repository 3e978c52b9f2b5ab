// bunbox's own streaming tar reader. Bun.Archive drops absolute symlinks, hardlinks, devices,
// fifos, setuid bits and owners (bun-platform.md), so rootfs tarballs are parsed here.
//
// The core is a synchronous push parser: feed it decompressed chunks in order, it calls a sink
// for each entry header, each piece of a file's body (subarrays of the input, no copies) and
// each entry's end. Synchronous on purpose: extraction then costs no promise per entry.
// `readTar` wraps it as an async iterator of entries with buffered bodies, for small uses.
import { decompress } from "./decompress.ts";
import { ImageError } from "./errors.ts";
import {
  BLOCK, checksumOk, isZeroBlock, paxInt, parseHeader, parsePaxRecords, paxString, paxTime, pathString, rawName,
  type RawHeader, type Time,
} from "./tar-header.ts";

export type { Time } from "./tar-header.ts";
export type EntryType = "file" | "dir" | "symlink" | "hardlink" | "char" | "block" | "fifo";

export interface TarEntry {
  /** As stored (after pax/GNU overrides); not yet normalised, see paths.ts. */
  name: string;
  type: EntryType;
  /** Permission bits including setuid 0o4000, setgid 0o2000, sticky 0o1000. */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: Time;
  atime?: Time;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Uint8Array>;
  /** Bytes of body that follow (files only; 0 for everything else). */
  size: number;
  /** Byte offset of the entry's first header (its pax/GNU header if any) in the tar stream. */
  offset: number;
}

export interface TarLimits {
  /** Most bytes of decompressed tar stream to accept (bomb guard). */
  maxTotalSize: number;
  maxEntries: number;
  /** Largest pax extended header or GNU long name/link body. */
  maxHeaderSize: number;
}

export const DEFAULT_LIMITS: TarLimits = {
  maxTotalSize: 64 * 1024 ** 3,
  maxEntries: 5_000_000,
  maxHeaderSize: 1024 * 1024,
};

export interface TarSink {
  entry(e: TarEntry): void;
  data(chunk: Uint8Array, e: TarEntry): void;
  end(e: TarEntry): void;
}

const TYPES: Record<string, EntryType> = {
  "0": "file", "\0": "file", "7": "file", "1": "hardlink", "2": "symlink", "3": "char", "4": "block",
  "5": "dir", "6": "fifo", D: "dir",
};

const enum State { Header, Body, Skip, Meta, Done }

export class TarParser {
  /** Bytes of tar stream consumed so far. */
  offset = 0;
  entries = 0;
  private state = State.Header;
  private hdr = new Uint8Array(BLOCK);
  private hdrFill = 0;
  private remaining = 0; // body bytes left in the current entry
  private pad = 0; // padding bytes after the body
  private cur: TarEntry | undefined;
  private entryStart = 0; // offset of the first header of the current entry
  private metaType = "";
  private metaName = ""; // the extended header's own name, for errors in its body
  private meta: Uint8Array = new Uint8Array(0);
  private metaFill = 0;
  private pax = new Map<string, Uint8Array>();
  private globalPax = new Map<string, Uint8Array>();
  private longName: string | undefined;
  private longLink: string | undefined;
  private lastName = "";
  private readonly limits: TarLimits;

  constructor(private readonly sink: TarSink, limits: Partial<TarLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Where we are, for error messages: the entry being read (or the last one) and its offset. */
  where(): string {
    const name = this.cur?.name ?? this.longName ?? paxName(this.pax) ?? this.lastName;
    // Before the first header there is no entry to name
    if (!name && !this.cur && this.entryStart === 0) return "the first header";
    return `entry "${name}" (offset ${this.cur ? this.cur.offset : this.entryStart})`;
  }

  private fail(what: string, name?: string, offset?: number): never {
    throw new ImageError(`corrupt archive: ${what} at entry "${name ?? this.cur?.name ?? ""}" (offset ${offset ?? this.entryStart})`);
  }

  push(chunk: Uint8Array): void {
    if (this.offset + chunk.length > this.limits.maxTotalSize) {
      throw new ImageError(`archive too large: more than ${this.limits.maxTotalSize} bytes (at ${this.where()})`);
    }
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      switch (this.state) {
        case State.Header: {
          if (this.hdrFill === 0 && n - pos >= BLOCK) {
            this.header(chunk, pos, this.offset);
            pos += BLOCK;
            this.offset += BLOCK;
          } else {
            const take = Math.min(BLOCK - this.hdrFill, n - pos);
            this.hdr.set(chunk.subarray(pos, pos + take), this.hdrFill);
            this.hdrFill += take;
            pos += take;
            this.offset += take;
            if (this.hdrFill === BLOCK) {
              this.hdrFill = 0;
              this.header(this.hdr, 0, this.offset - BLOCK);
            }
          }
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, n - pos);
          if (take > 0) this.sink.data(chunk.subarray(pos, pos + take), this.cur!);
          pos += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishBody();
          break;
        }
        case State.Meta: {
          const take = Math.min(this.remaining, n - pos);
          this.meta.set(chunk.subarray(pos, pos + take), this.metaFill);
          this.metaFill += take;
          pos += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishMeta();
          break;
        }
        case State.Skip: {
          const take = Math.min(this.pad, n - pos);
          pos += take;
          this.offset += take;
          this.pad -= take;
          if (this.pad === 0) this.state = State.Header;
          break;
        }
        case State.Done:
          // Trailing zero records (GNU pads to 10 KiB) and anything else after the end marker.
          this.offset += n - pos;
          pos = n;
          break;
      }
    }
  }

  /** The stream ended: anything but a clean end-of-archive marker is truncation. */
  finish(): void {
    if (this.state === State.Done) return;
    if (this.state === State.Header && this.hdrFill === 0 && !this.cur) {
      throw new ImageError(`truncated archive: no end-of-archive marker after ${this.where()}, stream ends at offset ${this.offset}`);
    }
    const e = this.cur;
    if (this.state === State.Body && e) {
      throw new ImageError(`truncated archive: entry "${e.name}" (offset ${e.offset}) ends after ${e.size - this.remaining} of ${e.size} bytes`);
    }
    throw new ImageError(`truncated archive: stream ends inside ${this.where()} at offset ${this.offset}`);
  }

  /** One header block `b[off..off+512]`, found at stream offset `at`. */
  private header(b: Uint8Array, off: number, at: number): void {
    if (!this.longName && !this.longLink && this.pax.size === 0) this.entryStart = at;
    if (isZeroBlock(b, off)) {
      if (this.pax.size || this.longName !== undefined || this.longLink !== undefined) {
        this.fail("end-of-archive marker right after an extended header", paxName(this.pax) ?? this.longName, at);
      }
      // GNU tar ends at the first zero block; a second one (or EOF) must follow, we don't care.
      this.state = State.Done;
      return;
    }
    const guess = this.longName ?? paxName(this.pax) ?? rawName(b, off);
    if (!checksumOk(b, off)) this.fail("bad header checksum", guess, at);
    let h: RawHeader;
    try {
      h = parseHeader(b, off);
    } catch (e) {
      if (e instanceof ImageError) this.fail(e.message, guess, at);
      throw e;
    }
    const t = h.typeflag;
    if (t === "x" || t === "g" || t === "L" || t === "K") {
      if (h.size > this.limits.maxHeaderSize) {
        throw new ImageError(`archive header too large: ${h.size} bytes (limit ${this.limits.maxHeaderSize}) at entry "${guess}" (offset ${at})`);
      }
      this.metaType = t;
      this.metaName = h.name;
      this.meta = new Uint8Array(h.size);
      this.metaFill = 0;
      this.remaining = h.size;
      this.pad = (BLOCK - (h.size % BLOCK)) % BLOCK;
      this.state = h.size ? State.Meta : State.Header;
      if (!h.size) this.finishMeta();
      return;
    }
    if (t === "S") this.fail("GNU sparse files are not supported", guess, at);
    if (t === "M" || t === "V" || t === "N") this.fail(`unsupported GNU entry type '${t}'`, guess, at);
    this.entry(h, at);
  }

  private entry(h: RawHeader, at: number): void {
    const pax = this.mergedPax();
    for (const k of pax.keys()) {
      if (k.startsWith("GNU.sparse.")) this.fail("GNU sparse files are not supported", paxName(pax) ?? h.name, this.entryStart);
    }
    let name = this.longName ?? h.name;
    let linkname = this.longLink ?? h.linkname;
    let { size, uid, gid } = h;
    let mtime: Time = { sec: h.mtime, nsec: 0 };
    let atime: Time | undefined;
    let { uname, gname, devmajor, devminor } = h;
    const xattrs = new Map<string, Uint8Array>();
    try {
      for (const [k, v] of pax) {
        if (k === "path") name = pathString(v);
        else if (k === "linkpath") linkname = pathString(v);
        else if (k === "size") size = paxInt(v, k);
        else if (k === "uid") uid = paxInt(v, k);
        else if (k === "gid") gid = paxInt(v, k);
        else if (k === "uname") uname = paxString(v);
        else if (k === "gname") gname = paxString(v);
        else if (k === "mtime") mtime = paxTime(v, k);
        else if (k === "atime") atime = paxTime(v, k);
        else if (k === "SCHILY.devmajor") devmajor = paxInt(v, k);
        else if (k === "SCHILY.devminor") devminor = paxInt(v, k);
        else if (k.startsWith("SCHILY.xattr.")) keepXattr(xattrs, k.slice(13), v);
        else if (k.startsWith("LIBARCHIVE.xattr.")) {
          keepXattr(xattrs, decodeURIComponent(k.slice(17)), Buffer.from(paxString(v), "base64"));
        }
      }
    } catch (e) {
      if (e instanceof ImageError) this.fail(e.message, name, at);
      throw e;
    }
    let type = TYPES[h.typeflag] ?? "file"; // POSIX: unknown types extract as regular files
    if (type === "file" && h.typeflag !== "7" && name.endsWith("/")) type = "dir"; // pre-POSIX dirs
    if (++this.entries > this.limits.maxEntries) {
      throw new ImageError(`archive has too many entries: more than ${this.limits.maxEntries} (at entry "${name}", offset ${this.entryStart})`);
    }
    const e: TarEntry = {
      name, type, mode: h.mode & 0o7777, uid, gid, uname, gname, mtime, atime,
      linkname: type === "hardlink" || type === "symlink" ? linkname : "",
      devmajor, devminor, xattrs, size: type === "file" ? size : 0, offset: this.entryStart,
    };
    this.pax.clear();
    this.longName = this.longLink = undefined;
    this.lastName = name;
    this.cur = e;
    // Bodies of non-files (GNU dumpdirs, hardlinks with data) are skipped, as GNU tar does.
    this.remaining = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
    this.sink.entry(e);
    if (type === "file" && size > 0) {
      this.state = State.Body;
    } else {
      this.pad += size;
      this.finishBody();
    }
  }

  private finishBody(): void {
    this.sink.end(this.cur!);
    this.cur = undefined;
    this.state = this.pad ? State.Skip : State.Header;
  }

  private finishMeta(): void {
    const body = this.meta;
    this.meta = new Uint8Array(0);
    const t = this.metaType;
    try {
      if (t === "L" || t === "K") {
        const s = pathString(body.subarray(0, nulEnd(body)));
        if (t === "L") this.longName = s;
        else this.longLink = s;
      } else {
        const recs = parsePaxRecords(body);
        const into = t === "g" ? this.globalPax : this.pax;
        for (const [k, v] of recs) into.set(k, v);
      }
    } catch (e) {
      // The entry it describes is not known yet: name the extended header itself.
      if (e instanceof ImageError) this.fail(e.message, this.metaName, this.entryStart);
      throw e;
    }
    this.state = this.pad ? State.Skip : State.Header;
  }

  /** Global pax values apply to every later entry; an empty global value removes the key. */
  private mergedPax(): Map<string, Uint8Array> {
    if (this.globalPax.size === 0) return this.pax;
    const m = new Map<string, Uint8Array>();
    for (const [k, v] of this.globalPax) if (v.length) m.set(k, v);
    for (const [k, v] of this.pax) m.set(k, v);
    return m;
  }
}

/**
 * overlayfs reads its own xattrs (trusted.overlay.*, or user.overlay.* with userxattr) on the
 * layers below a container: an image's redirect=/../../etc, opaque=y, origin or metacopy steer
 * what the container's root shows. Only bunbox may set them, when it has a reason to: dropped
 * from every archive. A name holding a NUL would reach setxattr cut short: dropped too.
 */
function keepXattr(into: Map<string, Uint8Array>, key: string, value: Uint8Array): void {
  if (/^(trusted|user)\.overlay\./.test(key) || key.includes("\0")) return;
  into.set(key, value);
}

function nulEnd(b: Uint8Array): number {
  const i = b.indexOf(0);
  return i < 0 ? b.length : i;
}

function paxName(pax: Map<string, Uint8Array>): string | undefined {
  const v = pax.get("path");
  return v ? paxString(v) : undefined;
}

export interface ReadOptions extends Partial<TarLimits> {
  /** Largest file body readTar buffers in memory. */
  maxBufferedBody?: number;
}

/**
 * Entries of a (possibly gzip/zstd-compressed) tar stream with their bodies buffered. For tests
 * and small archives; extraction uses TarParser directly and streams bodies to disk.
 */
export async function* readTar(
  src: AsyncIterable<Uint8Array>,
  opts: ReadOptions = {},
): AsyncGenerator<{ entry: TarEntry; body: Uint8Array }> {
  const maxBody = opts.maxBufferedBody ?? 64 * 1024 * 1024;
  const ready: { entry: TarEntry; body: Uint8Array }[] = [];
  let parts: Uint8Array[] = [];
  const parser = new TarParser({
    entry(e) {
      if (e.size > maxBody) throw new ImageError(`entry "${e.name}" (offset ${e.offset}) too large to buffer: ${e.size} bytes`);
      parts = [];
    },
    data(c) { parts.push(new Uint8Array(c)); }, // a copy: a Buffer's slice() is a view
    end(e) { ready.push({ entry: e, body: Buffer.concat(parts) }); },
  }, opts);
  try {
    for await (const chunk of decompress(src)) {
      parser.push(chunk);
      while (ready.length) yield ready.shift()!;
    }
  } catch (e) {
    if (e instanceof ImageError && !/offset \d+/.test(e.message)) {
      throw new ImageError(`${e.message} (in ${parser.where()}, stream offset ${parser.offset})`);
    }
    throw e;
  }
  parser.finish();
  while (ready.length) yield ready.shift()!;
}
