// The fallback where an image layer's filesystem cannot be idmapped (tmpfs before Linux 6.3, as
// on the bare test VM's 6.1 kernel; MOUNT_ATTR_IDMAP answers EINVAL): a copy of the layer whose
// ids are the host ids the user namespace maps them to, made once per container in its own
// directory (as Docker's userns-remap keeps chowned copies of its layers). Made under a temporary
// name and renamed, so a copy cut short is never used; a restart reuses the finished one.
import * as fs from "../sys/fsat.ts";
import { AT, O } from "../sys/constants.ts";
import { readdirSync, existsSync, renameSync } from "../sys/files.ts";
import { removeTree } from "../sys/remove-tree.ts";
import { copyFile } from "./volume-copy-up.ts";

export type Owner = (uid: number, gid: number) => { uid: number; gid: number };

const S_IFMT = 0o170000, S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000, S_IFSOCK = 0o140000;

/** `to` holds `from` with every owner mapped; returns `to`. */
export function shiftedCopy(from: string, to: string, owner: Owner): string {
  if (existsSync(to)) return to;
  const tmp = `${to}.partial`;
  removeTree(tmp);
  fs.mkdirs(tmp.slice(0, tmp.lastIndexOf("/")), 0o700);
  fs.mkdirat(AT.FDCWD, tmp, 0o700);
  copyDir(from, tmp, owner, 0);
  finish(tmp, fs.lstat(from), owner);
  renameSync(tmp, to);
  return to;
}

function copyDir(from: string, to: string, owner: Owner, depth: number): void {
  if (depth > 4096) throw new Error(`${from}: too deep to copy`);
  for (const name of readdirSync(from)) {
    const src = `${from}/${name}`, dst = `${to}/${name}`;
    const st = fs.lstat(src);
    const type = st.mode & S_IFMT;
    if (st.isDirectory()) {
      fs.mkdirat(AT.FDCWD, dst, 0o700);
      copyDir(src, dst, owner, depth + 1);
    } else if (st.isFile()) {
      // A hardlinked file becomes a copy of its own: the layer's content, not its link count, matters here
      copyFile(src, dst);
    } else if (st.isSymbolicLink()) {
      fs.symlinkat(fs.readlinkat(AT.FDCWD, src), AT.FDCWD, dst);
    } else if (type === S_IFCHR || type === S_IFBLK || type === S_IFIFO || type === S_IFSOCK) {
      // overlayfs whiteouts are 0:0 character devices: kept as they are
      fs.mknodat(AT.FDCWD, dst, type | 0o600, st.rdevMajor, st.rdevMinor);
    } else {
      continue;
    }
    finish(dst, st, owner);
  }
}

/** Owner, then mode (chown clears setuid and setgid bits), xattrs (overlayfs's opaque marks), mtime. */
function finish(path: string, st: fs.Stat, owner: Owner): void {
  const o = owner(st.uid, st.gid);
  fs.fchownat(AT.FDCWD, path, o.uid, o.gid);
  if (!st.isSymbolicLink()) fs.fchmodat(AT.FDCWD, path, st.mode & 0o7777);
  const slash = path.lastIndexOf("/");
  const dir = fs.openat(AT.FDCWD, path.slice(0, slash), O.PATH | O.DIRECTORY | O.CLOEXEC);
  try {
    for (const [key, value] of Object.entries(fs.lgetxattrs(path))) fs.lsetxattrAt(dir, path.slice(slash + 1), key, value);
  } finally {
    fs.close(dir);
  }
  fs.utimensat(AT.FDCWD, path, { sec: Math.floor(st.mtimeMs / 1000), nsec: Number(st.mtimeNs % 1_000_000_000n) });
}
