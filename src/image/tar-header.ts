// Pure decoding of one 512-byte tar header and of pax extended-header records. No I/O, so the
// reader's state machine (tar-reader.ts) stays small and these rules are unit-testable alone.
// Formats: POSIX ustar, pax (POSIX.1-2001), GNU (long names 'L'/'K', base-256 numbers), v7.
import { ImageError } from "./errors.ts";
import { decodeName } from "../sys/bytes-name.ts";

export const BLOCK = 512;

/** Seconds and nanoseconds since the epoch; pax mtimes carry fractions. */
export interface Time { sec: number; nsec: number }

/** The fields of one header block, before pax/GNU overrides are applied. */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

const utf8 = new TextDecoder("utf-8");

/**
 * A path (entry name or link target) as a string that keeps every byte: Linux names are bytes,
 * and GNU tar extracts a latin-1 name as it is. Decoded lossily, "a\xffb" and "a\xfeb" would
 * both become "a\ufffdb" and the second entry would silently replace the first (or a link would
 * point elsewhere); sys/bytes-name.ts keeps them apart and gives the kernel the bytes back.
 */
export function pathString(v: Uint8Array): string {
  return decodeName(v);
}

/** A NUL-terminated string field; `path` fields must be UTF-8, others (uname) are lossy. */
function str(b: Uint8Array, off: number, len: number, path = false): string {
  let end = off;
  const stop = off + len;
  while (end < stop && b[end] !== 0) end++;
  return path ? pathString(b.subarray(off, end)) : utf8.decode(b.subarray(off, end));
}

/**
 * A numeric field: octal text (padded with spaces or NULs), or GNU base-256 when the high bit of
 * the first byte is set (used for sizes >= 8 GiB, large uids, negative mtimes).
 */
export function parseNumeric(b: Uint8Array, off: number, len: number, field: string): number {
  const first = b[off]!;
  if (first & 0x80) {
    const negative = first === 0xff;
    let v = BigInt(first & 0x7f);
    if (negative) v = BigInt(first) - 256n;
    for (let i = 1; i < len; i++) v = v * 256n + BigInt(b[off + i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ImageError(`base-256 ${field} out of range`);
    }
    return Number(v);
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw new ImageError(`bad octal ${field} field`);
    v = v * 8 + (c - 0x30);
    digits++;
  }
  // Anything after the terminator must be padding too.
  for (; i < end; i++) {
    if (b[i] !== 0x20 && b[i] !== 0) throw new ImageError(`bad octal ${field} field`);
  }
  return digits ? v : 0;
}

export function isZeroBlock(b: Uint8Array, off: number): boolean {
  if (b[off] !== 0) return false; // a real header starts with its name
  for (let i = off; i < off + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Verify the header checksum: the sum of all bytes with the checksum field read as spaces.
 * Historic tars summed signed chars, so accept either sum, as GNU tar does.
 */
export function checksumOk(b: Uint8Array, off: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : b[off + i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  let stored: number;
  try {
    stored = parseNumeric(b, off + 148, 8, "checksum");
  } catch {
    return false;
  }
  return stored === unsigned || stored === signed;
}

/** Best-effort name of a header we could not trust, for error messages. */
export function rawName(b: Uint8Array, off: number): string {
  // Its bytes kept (not U+FFFD): an error line then shows them as \xNN (cli/sanitize.ts)
  return str(b, off, 100, true);
}

export function parseHeader(b: Uint8Array, off: number): RawHeader {
  const magic = str(b, off + 257, 6);
  const posix = magic === "ustar"; // "ustar\0" + "00"
  const gnu = magic === "ustar "; // GNU writes "ustar  \0" and uses the prefix field for times
  let name = str(b, off, 100, true);
  if (posix) {
    const prefix = str(b, off + 345, 155, true);
    if (prefix) name = `${prefix}/${name}`;
  }
  const hasDev = posix || gnu; // v7 headers end at the link name
  return {
    name,
    mode: parseNumeric(b, off + 100, 8, "mode"),
    uid: parseNumeric(b, off + 108, 8, "uid"),
    gid: parseNumeric(b, off + 116, 8, "gid"),
    size: parseNumeric(b, off + 124, 12, "size"),
    mtime: parseNumeric(b, off + 136, 12, "mtime"),
    typeflag: String.fromCharCode(b[off + 156]!),
    linkname: str(b, off + 157, 100, true),
    uname: hasDev ? str(b, off + 265, 32) : "",
    gname: hasDev ? str(b, off + 297, 32) : "",
    devmajor: hasDev ? parseNumeric(b, off + 329, 8, "devmajor") : 0,
    devminor: hasDev ? parseNumeric(b, off + 337, 8, "devminor") : 0,
  };
}

/** pax records "<len> <key>=<value>\n"; values stay bytes (xattr values are binary). */
export function parsePaxRecords(body: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let pos = 0;
  while (pos < body.length) {
    if (body[pos] === 0) break; // some writers pad the record block with NULs
    let len = 0;
    let i = pos;
    while (i < body.length && body[i]! >= 0x30 && body[i]! <= 0x39) len = len * 10 + (body[i++]! - 0x30);
    if (i === pos || body[i] !== 0x20 || len <= i - pos + 1 || pos + len > body.length || body[pos + len - 1] !== 0x0a) {
      throw new ImageError(`malformed pax record at byte ${pos} of the extended header`);
    }
    const rec = body.subarray(i + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new ImageError(`malformed pax record at byte ${pos} of the extended header`);
    out.set(utf8.decode(rec.subarray(0, eq)), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

export function paxString(v: Uint8Array): string {
  return utf8.decode(v);
}

export function paxInt(v: Uint8Array, key: string): number {
  const s = paxString(v);
  if (!/^[0-9]{1,16}$/.test(s)) throw new ImageError(`bad pax ${key} value "${s.slice(0, 40)}"`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ImageError(`pax ${key} out of range`);
  return n;
}

/** pax times: "[-]seconds[.fraction]", fraction up to nanoseconds. */
export function paxTime(v: Uint8Array, key: string): Time {
  const s = paxString(v);
  const m = /^(-?)([0-9]{1,15})(?:\.([0-9]*))?$/.exec(s);
  if (!m) throw new ImageError(`bad pax ${key} value "${s.slice(0, 40)}"`);
  const sec = Number(m[2]);
  const nsec = Number(((m[3] ?? "") + "000000000").slice(0, 9));
  if (m[1] !== "-") return { sec, nsec };
  // -1.25 is 1.25 s before the epoch: sec -2, nsec 750000000.
  return nsec ? { sec: -sec - 1, nsec: 1e9 - nsec } : { sec: -sec, nsec: 0 };
}
