// --security-opt values, as Docker reads them ("key=value" or the older "key:value").
import { UsageError } from "./errors.ts";

export type SeccompChoice = { kind: "default" } | { kind: "unconfined" } | { kind: "file"; path: string };

/** apparmor=PROFILE: a profile the host has loaded, or "unconfined"; absent: the host's default. */
export type AppArmorChoice = { kind: "default" } | { kind: "unconfined" } | { kind: "profile"; name: string };

export interface SecurityOpts {
  noNewPrivileges: boolean;
  seccomp: SeccompChoice;
  apparmor: AppArmorChoice;
}

export function parseSecurityOpts(opts: string[]): SecurityOpts {
  const out: SecurityOpts = { noNewPrivileges: false, seccomp: { kind: "default" }, apparmor: { kind: "default" } };
  for (const opt of opts) {
    const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(opt);
    const key = m?.[1], value = m?.[2];
    if (key === "no-new-privileges") {
      if (value === undefined || value === "true") out.noNewPrivileges = true;
      else if (value === "false") out.noNewPrivileges = false;
      else throw new UsageError(`invalid --security-opt ${opt}: no-new-privileges takes true or false`);
    } else if (key === "seccomp" && value) {
      out.seccomp = value === "unconfined" ? { kind: "unconfined" } : { kind: "file", path: value };
    } else if (key === "apparmor" && value) {
      // AppArmor profile names are words of the policy language: no spaces, nothing to quote
      if (!/^[^\s\0]+$/.test(value)) throw new UsageError(`invalid --security-opt ${JSON.stringify(opt)}: not an AppArmor profile name`);
      out.apparmor = value === "unconfined" ? { kind: "unconfined" } : { kind: "profile", name: value };
    } else if (key === "label") {
      throw new UsageError(`--security-opt ${opt}: bunbox does not use SELinux (seccomp, AppArmor, capabilities and no-new-privileges are available)`);
    } else {
      throw new UsageError(`invalid --security-opt: ${opt} (use no-new-privileges, seccomp=unconfined, seccomp=PROFILE.json or apparmor=PROFILE|unconfined)`);
    }
  }
  return out;
}
