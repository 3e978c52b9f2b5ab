// The OCI `process` object (config.md "Process", Linux parts). Also what `runc exec --process FILE`
// reads, so it stands alone here.
import * as v from "valibot";
import {
  absPath, arrayOf, bool, int32, intIn, matching, obj, oneOf, str, strArray, uint32, uint64,
} from "./valid.ts";

export const IDMappingSchema = obj({
  containerID: uint32(),
  hostID: uint32(),
  size: uint32(),
});

export const UserSchema = obj({
  // REQUIRED by the spec on Linux; runc reads a missing one as 0, and so do we.
  uid: v.optional(uint32(), 0),
  gid: v.optional(uint32(), 0),
  umask: v.optional(uint32()),
  additionalGids: v.optional(arrayOf(uint32(), "gids")),
  username: v.optional(str()), // Windows only: accepted, ignored
});

const capList = () =>
  arrayOf(matching(/^CAP_[A-Z0-9_]+$/, "a capability name like CAP_CHOWN"), "capability names");

export const CapabilitiesSchema = obj({
  bounding: v.optional(capList()),
  effective: v.optional(capList()),
  inheritable: v.optional(capList()),
  permitted: v.optional(capList()),
  ambient: v.optional(capList()),
});

export const RlimitSchema = obj({
  type: matching(/^RLIMIT_[A-Z]+$/, "a limit name like RLIMIT_NOFILE"),
  soft: uint64(),
  hard: uint64(),
});

export const IO_PRIORITY_CLASSES = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"] as const;

export const IOPrioritySchema = obj({
  class: oneOf(IO_PRIORITY_CLASSES),
  priority: v.optional(intIn(0, 7)),
});

export const SCHEDULER_POLICIES = [
  "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
] as const;

export const SCHEDULER_FLAGS = [
  "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX",
] as const;

export const SchedulerSchema = obj({
  policy: oneOf(SCHEDULER_POLICIES),
  nice: v.optional(int32()),
  priority: v.optional(int32()),
  flags: v.optional(arrayOf(oneOf(SCHEDULER_FLAGS), "scheduler flags")),
  runtime: v.optional(uint64()),
  deadline: v.optional(uint64()),
  period: v.optional(uint64()),
});

const cpuList = () => matching(/^[0-9, -]*$/, "a CPU list like 0-3,7");

export const ExecCPUAffinitySchema = obj({
  initial: v.optional(cpuList()),
  final: v.optional(cpuList()),
});

export const ConsoleSizeSchema = obj({
  height: uint64(),
  width: uint64(),
});

export const ProcessSchema = obj({
  terminal: v.optional(bool()),
  consoleSize: v.optional(ConsoleSizeSchema),
  // REQUIRED by the spec; a missing one reads as root, as runc does.
  // A function, so each parse gets its own object (a shared default could be mutated).
  user: v.optional(UserSchema, () => ({ uid: 0, gid: 0 })),
  // On Linux at least one entry is REQUIRED: it is the program execvp() runs.
  args: v.pipe(
    strArray(),
    v.minLength(1, "must not be empty: the first entry is the program to run"),
  ),
  commandLine: v.optional(str()), // Windows only: accepted, ignored
  env: v.optional(strArray()),
  cwd: absPath("cwd"),
  capabilities: v.optional(CapabilitiesSchema),
  rlimits: v.optional(arrayOf(RlimitSchema, "rlimits")),
  noNewPrivileges: v.optional(bool()),
  apparmorProfile: v.optional(str()),
  oomScoreAdj: v.optional(intIn(-1000, 1000)),
  selinuxLabel: v.optional(str()),
  ioPriority: v.optional(IOPrioritySchema),
  scheduler: v.optional(SchedulerSchema),
  execCPUAffinity: v.optional(ExecCPUAffinitySchema),
});

export type IDMapping = v.InferOutput<typeof IDMappingSchema>;
export type User = v.InferOutput<typeof UserSchema>;
export type Capabilities = v.InferOutput<typeof CapabilitiesSchema>;
export type Rlimit = v.InferOutput<typeof RlimitSchema>;
export type IOPriority = v.InferOutput<typeof IOPrioritySchema>;
export type Scheduler = v.InferOutput<typeof SchedulerSchema>;
export type Process = v.InferOutput<typeof ProcessSchema>;
