// `-u/--user` as Docker resolves it: names and groups come from the image's /etc/passwd and
// /etc/group, numbers are taken as they are. Ids read from those files are range-checked as `-u`
// numbers are: the kernel takes 32 bits, so 4294967296 in an image's passwd would become uid 0.
import { UsageError } from "./errors.ts";

export interface PasswdEntry { name: string; uid: number; gid: number; home: string; }
export interface GroupEntry { name: string; gid: number; members: string[]; }
export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string; }
/** Why the image's passwd or group file was not used (not a regular file, too large), for errors. */
export interface UserFileProblems { passwd?: string; group?: string }

export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap((l) => {
    const f = l.split(":");
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }];
  });
}

export function parseGroup(text: string): GroupEntry[] {
  return lines(text).flatMap((l) => {
    const f = l.split(":");
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(",").filter(Boolean) }];
  });
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l && !l.startsWith("#"));
}

const MAX_ID = 2 ** 32 - 2;

/**
 * Resolves "name", "uid", "name:group", "uid:gid" (either side a name or a number), and
 * --group-add's groups (names from the group file, or numbers).
 */
export function resolveUser(spec: string | undefined, passwd: PasswdEntry[], groups: GroupEntry[], groupAdd: readonly string[] = [], problems: UserFileProblems = {}): ResolvedUser {
  // Docker: a passwd file that cannot be used only matters when a name must be looked up in it
  const why = (file: "passwd" | "group") => (problems[file] ? ` (${problems[file]}: ignored)` : "");
  const [userPart = "", groupPart] = (spec ?? "").split(":", 2);
  let uid = 0, gid = 0, home = "/root", name: string | undefined = "root";
  if (userPart !== "") {
    const byName = passwd.find((p) => p.name === userPart);
    if (/^\d+$/.test(userPart)) {
      uid = parseId(userPart, "user");
      const entry = passwd.find((p) => p.uid === uid);
      gid = entry ? fileId(entry.gid, "gid", `user ${entry.name}`, "passwd") : 0;
      home = entry?.home ?? "/";
      name = entry?.name;
    } else if (byName) {
      ({ home, name } = byName);
      uid = fileId(byName.uid, "uid", `user ${byName.name}`, "passwd");
      gid = fileId(byName.gid, "gid", `user ${byName.name}`, "passwd");
    } else {
      throw new UsageError(`unable to find user ${userPart}: no matching entries in passwd file${why("passwd")}`);
    }
  } else {
    const root = passwd.find((p) => p.uid === 0);
    home = root?.home ?? "/root";
  }
  if (groupPart !== undefined && groupPart !== "") {
    if (/^\d+$/.test(groupPart)) gid = parseId(groupPart, "group");
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new UsageError(`unable to find group ${groupPart}: no matching entries in group file${why("group")}`);
      gid = fileId(g.gid, "gid", `group ${g.name}`, "group");
    }
  }
  // Docker's supplementary groups: the primary group, the groups the user is listed in (unless a
  // group was given), then --group-add's. `id` in a Docker container shows groups=<gid>,...
  const listed = groupPart === undefined && name !== undefined ? groups.filter((g) => g.members.includes(name!)).map((g) => fileId(g.gid, "gid", `group ${g.name}`, "group")) : [];
  const added = groupAdd.map((g) => {
    if (/^\d+$/.test(g)) return parseId(g, "group");
    const entry = groups.find((x) => x.name === g);
    if (!entry) throw new UsageError(`unable to find group ${g}: no matching entries in group file${why("group")} (--group-add)`);
    return fileId(entry.gid, "gid", `group ${entry.name}`, "group");
  });
  const additionalGids = [...new Set([gid, ...listed, ...added])];
  return { uid, gid, additionalGids, home };
}

/** An id read from the image's passwd or group file, checked before it can reach setresuid. */
function fileId(n: number, field: string, owner: string, file: string): number {
  if (n > MAX_ID) throw new UsageError(`${owner} has ${field} ${n} in the image's /etc/${file}: ids must be below ${MAX_ID + 1}`);
  return n;
}

function parseId(text: string, what: string): number {
  const n = Number(text);
  if (n > MAX_ID) throw new UsageError(`invalid ${what} id ${text}: must be below ${MAX_ID + 1}`);
  return n;
}
