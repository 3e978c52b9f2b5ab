// Resolve a container path inside an image directory the way the kernel would after chroot:
// symlinks (absolute or relative) and `..` never lead above the root. Used only to read files
// of a stored, read-only image (its /etc/passwd); the init stage resolves through fds instead
// (runtime/inroot.ts).
import { lstatSync, readlinkSync } from "../sys/files.ts";

const MAX_LINKS = 255;

/** Host path of `path` (absolute, container view) resolved inside `root`; missing tails are kept as named. */
export function resolveInRoot(root: string, path: string): string {
  const pending = path.split("/").filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === ".") continue;
    if (part === "..") { done.pop(); continue; }
    const host = `${root}/${[...done, part].join("/")}`;
    let st;
    try { st = lstatSync(host); } catch { done.push(part, ...pending.filter((p) => p !== ".")); return normalise(root, done); }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw Object.assign(new Error(`too many symlinks resolving ${path}`), { code: "ELOOP" });
      const target = readlinkSync(host);
      if (target.startsWith("/")) done.length = 0;
      pending.unshift(...target.split("/").filter(Boolean));
    } else {
      done.push(part);
    }
  }
  return normalise(root, done);
}

function normalise(root: string, parts: string[]): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "..") out.pop();
    else if (p !== "." && p !== "") out.push(p);
  }
  return out.length ? `${root}/${out.join("/")}` : root;
}
