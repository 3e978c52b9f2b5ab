// Docker's first mount of an empty volume: what the image holds at the mount path is copied into
// it (owner, mode, files, directories, symlinks), unless `nocopy`. So `-v data:/etc` starts with the
// image's /etc, as a Dockerfile's VOLUME does. Done on the host before the container starts.
// The image side is walked with lstat only: a symlink on the way to the mount path (resolved
// inside the container by Docker) makes bunbox copy nothing rather than follow it on the host.
import { lstatSync, readdirSync, mkdirSync, chmodSync, chownSync, openSync, closeSync, readSync, writeSync, readlinkSync } from "../sys/files.ts";
import * as fs from "../sys/fsat.ts";
import { AT } from "../sys/constants.ts";

/** Copies `<imageRoot><destination>` into the empty directory `data`; false when there is nothing to copy. */
export function copyUp(imageRoot: string, destination: string, data: string): boolean {
  let dir = imageRoot;
  for (const part of destination.split("/").filter(Boolean)) {
    dir = `${dir}/${part}`;
    try {
      if (!lstatSync(dir).isDirectory()) return false;
    } catch {
      return false; // not in the image: the volume starts empty
    }
  }
  if (dir === imageRoot) return false;
  try { if (readdirSync(data).length) return false; } catch { return false; }
  const st = lstatSync(dir);
  copyTree(dir, data, 0);
  // The volume's root takes the image directory's owner and mode (Docker's copyOwnership)
  chownSync(data, st.uid, st.gid);
  chmodSync(data, st.mode & 0o7777);
  return true;
}

function copyTree(from: string, to: string, depth: number): void {
  if (depth > 128) return;
  for (const name of readdirSync(from)) {
    const src = `${from}/${name}`, dst = `${to}/${name}`;
    const st = lstatSync(src);
    if (st.isDirectory()) {
      mkdirSync(dst, { mode: 0o700 });
      copyTree(src, dst, depth + 1);
    } else if (st.isFile()) {
      copyFile(src, dst);
    } else if (st.isSymbolicLink()) {
      fs.symlinkat(readlinkSync(src), AT.FDCWD, dst);
    } else {
      continue; // devices, fifos, sockets: not copied (Docker's archive copy keeps them; rare at a volume path)
    }
    fs.fchownat(AT.FDCWD, dst, st.uid, st.gid);
    if (!st.isSymbolicLink()) chmodSync(dst, st.mode & 0o7777);
  }
}

function copyFile(src: string, dst: string): void {
  const fin = openSync(src, "r");
  try {
    const fout = openSync(dst, "wx", 0o600);
    try {
      const buf = new Uint8Array(1 << 16);
      for (;;) {
        const n = readSync(fin, buf, 0, buf.length, null);
        if (n === 0) break;
        for (let off = 0; off < n;) off += writeSync(fout, buf.subarray(off, n));
      }
    } finally {
      closeSync(fout);
    }
  } finally {
    closeSync(fin);
  }
}
