// --security-opt seccomp=… → the OCI linux.seccomp section, as the Docker daemon writes it into
// config.json: Docker's default profile or a profile file, resolved for the container's
// capabilities and this machine's architecture; none when unconfined or privileged.
import { UsageError } from "./errors.ts";
import { computeCapabilities } from "./capabilities.ts";
import type { SeccompChoice } from "./security-opts.ts";
import type { Seccomp } from "./schema.ts";
import type { Arch } from "../sys/arch.ts";

export interface SeccompFlags {
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
}

/** `readFile`: the profile file's text (the caller's effect; it words a missing file). */
export async function seccompFromFlags(choice: SeccompChoice, flags: SeccompFlags, arch: Arch, readFile: (path: string) => string): Promise<Seccomp | undefined> {
  if (choice.kind === "unconfined" || flags.privileged) return undefined;
  const caps = computeCapabilities(flags.capAdd ?? [], flags.capDrop ?? [], false);
  // Only the code the choice needs: a profile file's schemas cost start-up on every default run
  if (choice.kind === "default") return (await import("./docker-seccomp.ts")).defaultSeccomp(arch, caps);
  const [{ dockerProfileToOci }, { parseSeccompProfile }] = await Promise.all([import("./docker-seccomp-profile.ts"), import("./docker-seccomp-file.ts")]);
  const text = readFile(choice.path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`seccomp profile ${choice.path}: not valid JSON (${(e as Error).message})`);
  }
  return dockerProfileToOci(parseSeccompProfile(json, choice.path), { arch, capabilities: caps });
}
