// Minimal deterministic ustar writer for the images the build produces.
// We write tar ourselves (not GNU tar from a staged dir) so ownership, modes
// and mtimes come from the entry list alone, never from the host's umask,
// uid or clock: the same input always gives byte-identical output.

export type TarEntry =
  | { type: "dir"; path: string; mode: number }
  | { type: "file"; path: string; mode: number; data: Uint8Array }
  | { type: "symlink"; path: string; target: string };

const enc = new TextEncoder();

function field(buf: Uint8Array, off: number, len: number, s: string) {
  const b = enc.encode(s);
  if (b.length > len) throw new Error(`tar: "${s}" too long for a ${len}-byte field`);
  buf.set(b, off);
}

// Numeric fields are zero-padded octal followed by NUL, as ustar wants.
function octal(buf: Uint8Array, off: number, len: number, n: number) {
  field(buf, off, len, n.toString(8).padStart(len - 1, "0") + "\0");
}

function header(e: TarEntry, mtime: number): Uint8Array {
  const h = new Uint8Array(512);
  const name = e.type === "dir" ? e.path.replace(/\/?$/, "/") : e.path;
  // ustar splits long names into prefix/name; ours are short, so refuse rather than mangle.
  field(h, 0, 100, name);
  octal(h, 100, 8, e.type === "symlink" ? 0o777 : e.mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, e.type === "file" ? e.data.length : 0);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = e.type === "dir" ? 0x35 : e.type === "symlink" ? 0x32 : 0x30; // '5' '2' '0'
  if (e.type === "symlink") field(h, 157, 100, e.target);
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  field(h, 265, 32, "root");
  field(h, 297, 32, "root");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** Serialise entries in the given order (callers sort) with one fixed mtime. */
export function writeTar(entries: TarEntry[], mtime: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e, mtime));
    if (e.type === "file") {
      parts.push(e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(new Uint8Array(pad));
    }
  }
  parts.push(new Uint8Array(1024)); // end-of-archive: two zero blocks
  return Buffer.concat(parts);
}
