// Resolve a container path inside its root directory the way the kernel would after chroot:
// symlinks (absolute or relative) and `..` never lead above the root (CVE-2021-30465,
// CVE-2026-41579: never string-join container paths onto host paths without this).
import { lstatSync, readlinkSync, mkdirSync, writeFileSync } from "node:fs";

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

/** Creates `path` (a directory, or an empty file with its parent directories) inside root, resolving each step inside it. */
export function createInRoot(root: string, path: string, kind: "dir" | "file"): string {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const sub = "/" + parts.slice(0, i).join("/");
    const host = resolveInRoot(root, sub);
    const last = i === parts.length;
    try {
      lstatSync(host);
    } catch {
      if (last && kind === "file") writeFileSync(host, "", { mode: 0o644, flag: "wx" });
      else mkdirSync(host, { mode: 0o755 });
    }
  }
  return resolveInRoot(root, path);
}
