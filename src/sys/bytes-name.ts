// File names are bytes to Linux; bunbox handles them as strings. UTF-8 names (nearly all) are
// the same either way. A name that is not UTF-8 (a latin-1 byte, as GNU tar extracts it) keeps
// each byte that does not decode as U+DC80+byte, a lone surrogate that no decoded UTF-8 can hold
// (Python's "surrogateescape"): two different byte names stay two different strings, and the
// kernel gets the original bytes back (cstr in fsat.ts). Lossy decoding would merge "a\xffb" and
// "a\xfeb" into one name.

const strict = new TextDecoder("utf-8", { fatal: true });
// "u": only a lone low surrogate, never half of a real character above U+FFFF
const ESCAPED = /[\udc80-\udcff]/u;

/** The name as a string, every byte kept (see above). */
export function decodeName(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeSlow(bytes);
  }
}

function decodeSlow(b: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + b[i]!);
      i++;
    } else {
      out += strict.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at b[i] (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The bytes of a name decoded by decodeName (plain UTF-8 for any other string). */
export function encodeName(name: string): Buffer {
  if (!ESCAPED.test(name)) return Buffer.from(name, "utf8");
  const parts: Buffer[] = [];
  let run = 0; // start of the text not yet encoded
  for (let i = 0; i < name.length; i++) {
    const u = name.charCodeAt(i);
    // A low surrogate after a high one is half of a real character (U+10000 and up), not a byte
    const paired = i > 0 && name.charCodeAt(i - 1) >= 0xd800 && name.charCodeAt(i - 1) <= 0xdbff;
    if (u >= 0xdc80 && u <= 0xdcff && !paired) {
      parts.push(Buffer.from(name.slice(run, i), "utf8"), Buffer.of(u - 0xdc00));
      run = i + 1;
    }
  }
  parts.push(Buffer.from(name.slice(run), "utf8"));
  return Buffer.concat(parts);
}
