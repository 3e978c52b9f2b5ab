// AppArmor has no "except" in a path rule, and a deny rule always wins over an allow. To deny
// writes to everything in a directory but a few names, a profile therefore lists every *other*
// name as globs. This builds that list exactly from the names to keep (a trie walk), instead of
// hand-written character classes that are easy to get subtly wrong.

export interface Kept {
  /** Names kept with anything after them: "shm" keeps shmmax, shm_rmid_forced… */
  prefixes?: string[];
  /** Names kept only as they are: "sys" keeps sys, not sysvipc. */
  exact?: string[];
}

interface Node { next: Map<string, Node>; prefix: boolean; exact: boolean }

const node = (): Node => ({ next: new Map(), prefix: false, exact: false });

/**
 * Globs (one path component each, for an alternation `{a,b,…}`) that match every non-empty
 * name other than the kept ones: the partial prefixes themselves, a different next character
 * at each step, and longer names after an exact one.
 */
export function otherNames(kept: Kept): string[] {
  const root = node();
  const add = (word: string, kind: "prefix" | "exact") => {
    let n = root;
    for (const c of word) {
      if (!n.next.has(c)) n.next.set(c, node());
      n = n.next.get(c)!;
    }
    n[kind] = true;
  };
  for (const w of kept.prefixes ?? []) add(w, "prefix");
  for (const w of kept.exact ?? []) add(w, "exact");
  const out: string[] = [];
  const walk = (n: Node, path: string) => {
    if (n.prefix) return; // everything from here on is kept
    if (path && !n.exact) out.push(path);
    const chars = [...n.next.keys()].sort();
    out.push(chars.length ? `${path}[^${charClass(chars)}]*` : `${path}?*`);
    for (const c of chars) walk(n.next.get(c)!, path + c);
  };
  walk(root, "");
  return out;
}

/** All ten digits read better as a range. */
function charClass(chars: string[]): string {
  const digits = "0123456789".split("");
  if (!digits.every((d) => chars.includes(d))) return chars.join("");
  return "0-9" + chars.filter((c) => !digits.includes(c)).join("");
}

export const alternation = (globs: string[]) => `{${globs.join(",")}}`;
