// Docker's seccomp profile format (moby profiles/seccomp: the default.json shape) and its
// resolution into an OCI linux.seccomp object, done the way the Docker daemon does before it
// writes config.json: per-rule `includes`/`excludes` on capabilities, Go arch names and kernel
// version are decided here, and archMap picks the native arch's entry and its sub-arches.
import type { Seccomp, SeccompAction, SeccompArch, SeccompFlag, SeccompOperator, Syscall } from "./schema.ts";
import type { Arch as NativeArch } from "../sys/arch.ts";
import { SeccompError } from "./errors.ts";

export interface DockerArg { index: number; value: number; valueTwo?: number; op: SeccompOperator }

export interface DockerFilter {
  caps?: string[];
  /** Go arch names (amd64, arm64, x86, x32, arm, s390x...), matched against the host's. */
  arches?: string[];
  minKernel?: string;
}

export interface DockerSyscall {
  names?: string[];
  name?: string; // the pre-17.x single-name form
  action: SeccompAction;
  errnoRet?: number;
  args?: DockerArg[] | null;
  comment?: string;
  includes?: DockerFilter;
  excludes?: DockerFilter;
}

export interface DockerArchMap { architecture: SeccompArch; subArchitectures?: SeccompArch[] | null }

export interface DockerProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: SeccompArch[];
  archMap?: DockerArchMap[];
  flags?: SeccompFlag[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: DockerSyscall[];
}

export interface DockerResolveOptions {
  arch: NativeArch;
  /** The container's (bounding) capabilities; "CAP_SYS_ADMIN" or "SYS_ADMIN". */
  capabilities: readonly string[];
  /**
   * The running kernel's release (uname -r) for `minKernel` conditions. Absent: conditions are
   * taken as met (bunbox needs a kernel far newer than any minKernel in Docker's profile).
   */
  kernel?: string;
}

const GO_ARCH: Record<NativeArch, string> = { x86_64: "amd64", aarch64: "arm64" };
const SCMP_NATIVE: Record<NativeArch, SeccompArch> = { x86_64: "SCMP_ARCH_X86_64", aarch64: "SCMP_ARCH_AARCH64" };

const capName = (c: string) => {
  const up = c.toUpperCase();
  return up.startsWith("CAP_") ? up : `CAP_${up}`;
};

export function dockerProfileToOci(profile: DockerProfile, options: DockerResolveOptions): Seccomp {
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new SeccompError("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const native = SCMP_NATIVE[options.arch];
  if (!native) throw new SeccompError(`unsupported arch ${options.arch}`);
  const goArch = GO_ARCH[options.arch];
  const caps = new Set(options.capabilities.map(capName));

  let architectures = profile.architectures ? [...profile.architectures] : undefined;
  if (profile.archMap?.length) {
    architectures = profile.archMap
      .filter((m) => m.architecture === native)
      .flatMap((m) => [m.architecture, ...(m.subArchitectures ?? [])]);
  }

  const syscalls: Syscall[] = [];
  profile.syscalls?.forEach((call, i) => {
    if (call.name && call.names?.length) {
      throw new SeccompError(`syscalls.${i}: 'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'`);
    }
    if (!applies(call, goArch, caps, options.kernel)) return;
    const names = call.names?.length ? [...call.names] : call.name ? [call.name] : [];
    if (!names.length) return;
    const out: Syscall = { names, action: call.action };
    if (call.errnoRet !== undefined) out.errnoRet = call.errnoRet;
    if (call.args?.length) out.args = call.args.map((a) => ({ ...a }));
    syscalls.push(out);
  });

  const oci: Seccomp = { defaultAction: profile.defaultAction, syscalls };
  if (profile.defaultErrnoRet !== undefined) oci.defaultErrnoRet = profile.defaultErrnoRet;
  if (architectures?.length) oci.architectures = architectures;
  if (profile.flags?.length) oci.flags = [...profile.flags];
  if (profile.listenerPath) oci.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata) oci.listenerMetadata = profile.listenerMetadata;
  return oci;
}

/** Docker's rule: includes need every listed cap and the host arch; excludes drop on any match. */
function applies(call: DockerSyscall, goArch: string, caps: Set<string>, kernel?: string): boolean {
  const inc = call.includes ?? {};
  const exc = call.excludes ?? {};
  if (inc.arches?.length && !inc.arches.includes(goArch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(capName(c)))) return false;
  if (inc.minKernel && kernel && compareKernel(kernel, inc.minKernel) < 0) return false;
  if (exc.arches?.length && exc.arches.includes(goArch)) return false;
  if (exc.caps?.length && exc.caps.some((c) => caps.has(capName(c)))) return false;
  if (exc.minKernel && kernel && compareKernel(kernel, exc.minKernel) >= 0) return false;
  return true;
}

/** Compares "6.1.0-13-amd64" with "4.8" on major.minor.patch. */
export function compareKernel(a: string, b: string): number {
  const parse = (s: string) => (/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s) ?? []).slice(1, 4).map((x) => Number(x ?? 0));
  const pa = parse(a), pb = parse(b);
  if (pb.length === 0 || Number.isNaN(pb[0])) throw new SeccompError(`invalid minKernel ${JSON.stringify(b)}`);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
