// Public face of the seccomp module: compile an OCI linux.seccomp into a BPF program, Docker's
// default profile, and profile files. Pure: no I/O, nothing runs at import.
export { compileSeccomp, type CompiledFilter } from "./compile.ts";
export { DOCKER_DEFAULT_CAPS, DOCKER_DEFAULT_PROFILE, defaultSeccomp, dockerProfileToOci } from "./docker-default.ts";
export type { DockerProfile, DockerResolveOptions, DockerSyscall } from "./docker-profile.ts";
export { parseSeccompProfile } from "./profile-file.ts";
export { SeccompError } from "./errors.ts";
export type { NativeArch } from "./arches.ts";
