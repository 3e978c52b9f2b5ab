// Is AppArmor on here, which profiles has the kernel loaded, and which of the distribution's
// policy includes exist. Pure over a reader, so tests pass a fake host (with and without AppArmor).
import { readFileSync, existsSync } from "../sys/files.ts";

export interface HostReader {
  /** A file's text, or undefined when it cannot be read (missing, no permission). */
  read(path: string): string | undefined;
  exists(path: string): boolean;
}

export interface AppArmorHost {
  /** The module is enabled and its securityfs directory is there: profiles can be loaded and entered. */
  readonly enabled: boolean;
  /**
   * Containers get the default profile: AppArmor is enabled and its parser is installed to load
   * the profile (containerd's hostSupports, which Docker uses: a kernel with AppArmor on and no
   * apparmor package, a minimal VM say, runs containers unconfined).
   */
  readonly confinesByDefault: boolean;
  /** Loaded profiles now (name → mode), undefined when the list cannot be read. Read afresh each call. */
  loaded(): Map<string, string> | undefined;
  /** Which of the includes Docker's profile uses the host's policy directory holds. */
  includes(): { tunables: boolean; base: boolean };
  /** The label bunbox itself runs under ("unconfined" unless a policy confines it). */
  ownLabel(): string;
}

const ENABLED = "/sys/module/apparmor/parameters/enabled";
const SECURITYFS = "/sys/kernel/security/apparmor";
const POLICY_DIR = "/etc/apparmor.d";
const PARSERS = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"];

export function appArmorHost(r: HostReader): AppArmorHost {
  let enabled: boolean | undefined;
  return {
    // Both, as Docker checks: a kernel can have the module enabled with securityfs unmounted
    // (then nothing can be loaded), or the module built in and disabled at boot ("N")
    get enabled() { return (enabled ??= r.read(ENABLED)?.trim() === "Y" && r.exists(SECURITYFS)); },
    get confinesByDefault() { return this.enabled && PARSERS.some((p) => r.exists(p)); },
    loaded() {
      const text = r.read(`${SECURITYFS}/profiles`);
      return text === undefined ? undefined : parseProfiles(text);
    },
    includes: () => ({ tunables: r.exists(`${POLICY_DIR}/tunables/global`), base: r.exists(`${POLICY_DIR}/abstractions/base`) }),
    ownLabel: () => parseLabel(r.read("/proc/self/attr/apparmor/current") ?? r.read("/proc/self/attr/current") ?? ""),
  };
}

/** `name (mode)` lines, as securityfs lists them (child profiles as `parent//child`). */
export function parseProfiles(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(\S+) \((\w+)\)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** `/proc/self/attr/current`: "name (mode)\n", or "unconfined"; a trailing NUL on some kernels. */
export function parseLabel(text: string): string {
  return text.replace(/\0/g, "").trim().split(" ")[0] || "unconfined";
}

export const realHostReader: HostReader = {
  read(path) {
    try { return readFileSync(path, "utf8"); } catch { return undefined; }
  },
  exists: (path) => existsSync(path),
};
