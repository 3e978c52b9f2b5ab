// Describe a directory tree as sorted, comparable lines: type, mode, owner, size, device
// numbers, link target, content hash, xattrs, mtime (ns) and hardlink group. Used to compare
// bunbox's extraction with GNU tar's, and to prove a sentinel dir did not change. Names are
// bytes: read as Buffers, kept apart as bytes-name.ts strings, shown with \xNN for non-UTF-8.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { lgetxattrs } from "../../../src/sys/fsat.ts";
import { decodeName, encodeName } from "../../../src/sys/bytes-name.ts";
import { printable } from "../../../src/image/errors.ts";

/** The path's bytes (node:fs would write a lone surrogate as U+FFFD) */
const bytes = (root: string, rel: string) => encodeName(rel ? `${root}/${rel}` : root);
const names = (dir: Buffer) => readdirSync(dir, { encoding: "buffer" }).map(decodeName).sort();
const link = (path: Buffer) => printable(decodeName(readlinkSync(path, { encoding: "buffer" })));

function kind(mode: number): string {
  switch (mode & 0o170000) {
    case 0o040000: return "dir";
    case 0o100000: return "file";
    case 0o120000: return "symlink";
    case 0o020000: return "char";
    case 0o060000: return "block";
    case 0o010000: return "fifo";
    default: return "other";
  }
}

export function describeTree(root: string, opts: { mtimes?: boolean } = {}): string[] {
  const lines: string[] = [];
  const inodes = new Map<bigint, string>();
  const walk = (rel: string) => {
    const abs = bytes(root, rel);
    const st = lstatSync(abs, { bigint: true });
    const mode = Number(st.mode);
    const t = kind(mode);
    const f: string[] = [printable(rel) || ".", t, (mode & 0o7777).toString(8), `${st.uid}:${st.gid}`];
    if (t === "file") {
      f.push(`size=${st.size}`, `sha=${new Bun.CryptoHasher("sha256").update(readFileSync(abs)).digest("hex").slice(0, 16)}`);
      if (st.nlink > 1n) {
        const first = inodes.get(st.ino);
        if (first === undefined) inodes.set(st.ino, rel);
        f.push(`links=${st.nlink}`, `group=${first ?? rel}`);
      }
    }
    if (t === "char" || t === "block") {
      const rdev = Number(st.rdev);
      const major = ((rdev >>> 8) & 0xfff) | Number((st.rdev >> 32n) & ~0xfffn);
      const minor = (rdev & 0xff) | Number((st.rdev >> 12n) & ~0xffn);
      f.push(`dev=${major},${minor}`);
    }
    if (t === "symlink") f.push(`-> ${link(abs)}`);
    const xa = lgetxattrs(decodeName(abs));
    for (const k of Object.keys(xa).sort()) f.push(`xattr ${k}=${Buffer.from(xa[k]!).toString("hex")}`);
    if (opts.mtimes !== false) f.push(`mtime=${st.mtimeNs}`);
    lines.push(f.join(" "));
    if (t === "dir") for (const n of names(abs)) walk(rel ? `${rel}/${n}` : n);
  };
  walk("");
  return lines;
}

/** A hash of a tree's description: equal before and after means nothing changed. */
export function treeHash(root: string): string {
  return new Bun.CryptoHasher("sha256").update(describeTree(root).join("\n")).digest("hex");
}

/**
 * A short, readable description for explicit expected trees: "path type mode", owner when not
 * 0:0, "-> target" for symlinks, the JSON content of files up to 40 bytes (size otherwise),
 * "dev=M,m" for devices, "links=N" for hardlinked files. No mtimes, no xattrs.
 */
export function shortTree(root: string): string[] {
  const lines: string[] = [];
  const walk = (rel: string) => {
    const abs = bytes(root, rel);
    const st = lstatSync(abs);
    const t = kind(st.mode);
    const f = [printable(rel) || ".", t, (st.mode & 0o7777).toString(8)];
    if (st.uid !== 0 || st.gid !== 0) f.push(`${st.uid}:${st.gid}`);
    if (t === "file") {
      f.push(st.size <= 40 ? JSON.stringify(readFileSync(abs, "utf8")) : `size=${st.size}`);
      if (st.nlink > 1) f.push(`links=${st.nlink}`);
    }
    if (t === "symlink") f.push(`-> ${link(abs)}`);
    lines.push(f.join(" "));
    if (t === "dir") for (const n of names(abs)) walk(rel ? `${rel}/${n}` : n);
  };
  walk("");
  return lines;
}
