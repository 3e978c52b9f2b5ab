// Before a container (or an exec) starts, in the parent: make sure the AppArmor profile its spec
// names can be entered. bunbox-default is bunbox's own: generated here and loaded with the host's
// apparmor_parser whenever the kernel lacks this very text (after a boot, or an upgrade of
// bunbox); compiling policy is that tool's job, and it is the one program bunbox starts, as Docker
// and Podman do. Any other profile is the host's to load; bunbox only checks it is there.
import type { AppArmorHost } from "../host/apparmor.ts";
import { DEFAULT_PROFILE, defaultProfile, revisionProfile } from "../linux/apparmor/profile.ts";
import { RuntimeError } from "./errors.ts";

/** Compiles and loads (or replaces) policy text in the kernel. */
export type PolicyLoader = (text: string) => void;

export function prepareProfile(profile: string | undefined, host: AppArmorHost, load: PolicyLoader = loadWithParser): void {
  if (!profile || profile === "unconfined") return;
  // The runtime spec: a property that cannot be applied is an error, never silently dropped
  if (!host.enabled) throw new RuntimeError(`AppArmor profile "${profile}" cannot be applied: AppArmor is not enabled on this host`);
  const loaded = host.loaded();
  if (profile === DEFAULT_PROFILE) {
    const { text, revision } = defaultProfile({ includes: host.includes(), runtimeLabel: host.ownLabel() });
    if (!loaded?.has(`${DEFAULT_PROFILE}//${revisionProfile(revision)}`)) load(text);
    return;
  }
  // An unreadable list (undefined) leaves the answer to the kernel at the write
  if (loaded && !loaded.has(profile)) {
    throw new RuntimeError(`AppArmor profile "${profile}" is not loaded: load it with apparmor_parser -r FILE first, or use --security-opt apparmor=unconfined`);
  }
}

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
