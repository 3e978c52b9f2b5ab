// Fake hosts for the AppArmor tests: one with AppArmor on (as the systemd VM, Debian 12), built
// from the files bunbox reads; without those files, a host like this lab machine.
import type { HostReader } from "../../../src/host/apparmor.ts";

/** A host made of these files (text) and directories (null). */
export function fakeHost(files: Record<string, string | null>): HostReader {
  return {
    read: (p) => (typeof files[p] === "string" ? (files[p] as string) : undefined),
    exists: (p) => p in files,
  };
}

export const APPARMOR_HOST = {
  "/sys/module/apparmor/parameters/enabled": "Y\n",
  "/sys/kernel/security/apparmor": null,
  "/sys/kernel/security/apparmor/profiles": "lsb_release (enforce)\nnvidia_modprobe (enforce)\nnvidia_modprobe//kmod (enforce)\nsome-app (complain)\n",
  "/etc/apparmor.d/tunables/global": "",
  "/etc/apparmor.d/abstractions/base": "",
  "/proc/self/attr/apparmor/current": "unconfined\n",
  "/usr/sbin/apparmor_parser": "",
};
