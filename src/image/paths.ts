// Entry names to canonical relative paths inside the extraction root. Decision (security.md):
// a leading "/" is stripped and "." components dropped; a ".." component is refused outright
// rather than resolved, since no legitimate rootfs tarball needs one in an entry name.
import { ImageError } from "./errors.ts";

// Names already in canonical form (the overwhelming majority) skip the split/join.
const PLAIN = /^(?!\/)(?!.*\/\/)(?!(?:.*\/)?\.\.?(?:\/|$))[^]*[^/]$/;

/** "a/b/c" for "/a/./b//c/"; "" for the root itself. Throws ImageError on "..". */
export function normalizeName(name: string, where: () => string): string {
  if (PLAIN.test(name)) return name;
  const out: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") throw new ImageError(`unsafe path "${name}": ".." is not allowed (${where()})`);
    out.push(c);
  }
  return out.join("/");
}

/** Split "a/b/c" into ["a/b", "c"]; ["", "c"] for a top-level name. */
export function splitParent(key: string): [string, string] {
  const i = key.lastIndexOf("/");
  return i < 0 ? ["", key] : [key.slice(0, i), key.slice(i + 1)];
}
