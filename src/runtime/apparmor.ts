// Before a container (or an exec) starts, in the parent: make sure the AppArmor profile its spec
// names can be entered. bunbox-default is bunbox's own: generated here and loaded with the host's
// apparmor_parser whenever the kernel lacks this very text (after a boot, or an upgrade of
// bunbox); compiling policy is that tool's job, and it is the one program bunbox starts, as Docker
// and Podman do. Any other profile is the host's to load; bunbox only checks it is there.
import * as fsat from "../sys/fsat.ts";
import type { AppArmorHost } from "../host/apparmor.ts";
import { DEFAULT_PROFILE, defaultProfile, revisionProfile } from "../linux/apparmor/profile.ts";
import { RuntimeError } from "./errors.ts";
import { AT, O } from "../sys/constants.ts";

/** What changes the kernel's policy: injectable, so tests run without AppArmor or root. */
export interface PolicyOps {
  /** Compiles and loads (or replaces) policy text. */
  load(text: string): void;
  /** Unloads one profile by name. */
  remove(name: string): void;
  /** Holds the host-wide policy lock; returns its release. */
  lock(): () => void;
}

export interface ProfileUse {
  /** The process gets no_new_privs before its execve (the kernel then limits transitions). */
  noNewPrivileges?: boolean;
}

const REVISION_PREFIX = `${DEFAULT_PROFILE}//rev-`;

export function prepareProfile(profile: string | undefined, host: AppArmorHost, use: ProfileUse = {}, ops: PolicyOps = realPolicyOps): void {
  if (!profile || profile === "unconfined") return;
  // The runtime spec: a property that cannot be applied is an error, never silently dropped
  if (!host.enabled) throw new RuntimeError(`AppArmor profile "${profile}" cannot be applied: AppArmor is not enabled on this host`);
  // Under no_new_privs the kernel lets a confined task's execve enter only a subset of its own
  // confinement: from any profile of bunbox's own but the target, the execve would fail with EPERM
  const own = host.ownLabel();
  if (use.noNewPrivileges && own !== "unconfined" && own !== profile) {
    throw new RuntimeError(`bunbox itself runs confined by the AppArmor profile "${own}": with no-new-privileges the kernel refuses the change to "${profile}" at execve; run bunbox unconfined, drop no-new-privileges, or use --security-opt apparmor=unconfined`);
  }
  if (profile === DEFAULT_PROFILE) return ensureDefaultLoaded(host, ops);
  // An unreadable list (undefined) leaves the answer to the kernel at the write
  const loaded = host.loaded();
  if (loaded && !loaded.has(profile)) {
    throw new RuntimeError(`AppArmor profile "${profile}" is not loaded: load it with apparmor_parser -r FILE first, or use --security-opt apparmor=unconfined`);
  }
}

/**
 * bunbox-default carries a child profile named after the hash of its text. Replacing a profile
 * keeps the children the new text lacks, so each load removes the other revisions: one revision
 * listed means the loaded text is that one. Loads are serialised by a host-wide lock, so two
 * bunbox versions starting containers at once cannot leave a marker that belies the text.
 */
function ensureDefaultLoaded(host: AppArmorHost, ops: PolicyOps): void {
  const { text, revision } = defaultProfile({ includes: host.includes(), runtimeLabel: host.ownLabel() });
  const marker = `${DEFAULT_PROFILE}//${revisionProfile(revision)}`;
  const revisions = () => [...(host.loaded()?.keys() ?? [])].filter((n) => n.startsWith(REVISION_PREFIX));
  const current = (revs: string[]) => revs.length === 1 && revs[0] === marker;
  if (current(revisions())) return;
  const unlock = ops.lock();
  try {
    if (current(revisions())) return;
    ops.load(text);
    for (const stale of revisions()) if (stale !== marker) ops.remove(stale);
  } finally {
    unlock();
  }
}

const SECURITYFS = "/sys/kernel/security/apparmor";

export const realPolicyOps: PolicyOps = {
  load: loadWithParser,
  remove(name) {
    // Only revision markers, which no process ever enters
    const fd = fsat.openat(AT.FDCWD, `${SECURITYFS}/.remove`, O.WRONLY);
    try { fsat.writeAll(fd, Buffer.from(name)); } finally { fsat.close(fd); }
  },
  lock() {
    // securityfs's AppArmor directory itself: the same inode for every bunbox on this host, and
    // no file of bunbox's own to create (state directories move with --root; this must not)
    const fd = fsat.openat(AT.FDCWD, SECURITYFS, O.RDONLY | O.DIRECTORY);
    fsat.flock(fd, fsat.LOCK_EX);
    return () => fsat.close(fd);
  },
};

/** `apparmor_parser -Kr` with the text on stdin: replace the profile, write no cache file. */
export function loadWithParser(text: string): void {
  // sudo's PATH has the sbin directories; a root login's may not
  const parser = Bun.which("apparmor_parser", { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` });
  if (!parser) {
    throw new RuntimeError(`AppArmor is enabled but apparmor_parser is missing, so bunbox cannot load its ${DEFAULT_PROFILE} profile: install it (apt install apparmor) or run with --security-opt apparmor=unconfined`);
  }
  const r = Bun.spawnSync([parser, "-Kr"], { stdin: Buffer.from(text), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const why = r.stderr.toString().trim().split("\n")[0] || `exit status ${r.exitCode}`;
    throw new RuntimeError(`${parser} -Kr could not load the ${DEFAULT_PROFILE} AppArmor profile: ${why}`);
  }
}
