// Rules a runtime needs that are about more than one field: duplicates, and fields that only make
// sense together. They run on an already well-typed spec, so each rule is plain TypeScript.
import type { Linux } from "./linux.ts";
import type { Process } from "./process.ts";
import { SECCOMP_ERRNO_ACTIONS, type Seccomp } from "./seccomp.ts";

export type IssuePath = readonly (string | number)[];
export interface RawIssue {
  path: IssuePath;
  message: string;
}

/**
 * A JSON path as people read it: `linux.namespaces.2.type`. Keys that are not plain words (sysctl
 * names, annotations, cgroup files) are quoted so the dots inside them are not read as steps:
 * `linux.sysctl["net.ipv4.ip_forward"]`.
 */
export function dotPath(path: IssuePath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number" || /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || /^\d+$/.test(key))
      out += out ? `.${key}` : `${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** The first index of each key; later ones are reported as duplicates of it. */
function duplicates<T>(
  items: readonly T[],
  key: (item: T) => string,
  at: (index: number) => IssuePath,
  what: string,
): RawIssue[] {
  const seen = new Map<string, number>();
  const out: RawIssue[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else out.push({ path: at(i), message: `duplicate ${what} "${k}" (also at ${dotPath(at(first))})` });
  });
  return out;
}

export function processIssues(process: Process, base: IssuePath): RawIssue[] {
  const rlimits = process.rlimits ?? [];
  return duplicates(rlimits, (r) => r.type, (i) => [...base, "rlimits", i, "type"], "rlimit");
}

function seccompIssues(seccomp: Seccomp, base: IssuePath): RawIssue[] {
  const out: RawIssue[] = [];
  const errnoOnly = (action: string, path: IssuePath) =>
    out.push({
      path,
      message: `only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not ${action}`,
    });
  if (seccomp.defaultErrnoRet !== undefined && !SECCOMP_ERRNO_ACTIONS.includes(seccomp.defaultAction))
    errnoOnly(seccomp.defaultAction, [...base, "defaultErrnoRet"]);
  let notifyAt: IssuePath | undefined =
    seccomp.defaultAction === "SCMP_ACT_NOTIFY" ? [...base, "defaultAction"] : undefined;
  (seccomp.syscalls ?? []).forEach((rule, i) => {
    if (rule.errnoRet !== undefined && !SECCOMP_ERRNO_ACTIONS.includes(rule.action))
      errnoOnly(rule.action, [...base, "syscalls", i, "errnoRet"]);
    if (rule.action === "SCMP_ACT_NOTIFY") notifyAt ??= [...base, "syscalls", i, "action"];
  });
  if (notifyAt && !seccomp.listenerPath)
    out.push({
      path: [...base, "listenerPath"],
      message: `missing required field (SCMP_ACT_NOTIFY is used at ${dotPath(notifyAt)})`,
    });
  return out;
}

export function linuxIssues(linux: Linux, hostname: string | undefined, domainname: string | undefined): RawIssue[] {
  const out: RawIssue[] = [];
  const namespaces = linux.namespaces ?? [];
  out.push(
    ...duplicates(namespaces, (n) => n.type, (i) => ["linux", "namespaces", i, "type"], "namespace"),
  );
  const has = (type: string) => namespaces.some((n) => n.type === type);
  const userAt = namespaces.findIndex((n) => n.type === "user");

  if (!has("user")) {
    for (const key of ["uidMappings", "gidMappings"] as const)
      if (linux[key]?.length)
        out.push({
          path: ["linux", key],
          message: 'id mappings need a user namespace (add {"type":"user"} to linux.namespaces)',
        });
  } else if (!namespaces[userAt]!.path && !(linux.uidMappings?.length && linux.gidMappings?.length)) {
    out.push({
      path: ["linux", "namespaces", userAt],
      message: "a new user namespace needs linux.uidMappings and linux.gidMappings",
    });
  }

  if (linux.timeOffsets && Object.keys(linux.timeOffsets).length && !has("time"))
    out.push({
      path: ["linux", "timeOffsets"],
      message: 'time offsets need a time namespace (add {"type":"time"} to linux.namespaces)',
    });

  for (const [key, value] of [["hostname", hostname], ["domainname", domainname]] as const)
    if (value && !has("uts"))
      out.push({
        path: [key],
        message: `cannot set the ${key} without a uts namespace (add {"type":"uts"} to linux.namespaces)`,
      });

  (linux.devices ?? []).forEach((d, i) => {
    if (d.type === "p") return;
    for (const key of ["major", "minor"] as const)
      if (d[key] === undefined)
        out.push({
          path: ["linux", "devices", i, key],
          message: `missing required field (device type "${d.type}" needs major and minor)`,
        });
  });

  if (linux.seccomp) out.push(...seccompIssues(linux.seccomp, ["linux", "seccomp"]));
  return out;
}
