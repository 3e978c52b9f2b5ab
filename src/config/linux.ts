// The `linux` section of config.json (config-linux.md), minus resources and seccomp which have
// their own modules.
import * as v from "valibot";
import { IDMappingSchema } from "./process.ts";
import { LinuxResourcesSchema } from "./resources.ts";
import { SeccompSchema } from "./seccomp.ts";
import {
  absPath, arrayOf, bool, int64, map, obj, oneOf, str, strArray, strMap, uint32,
} from "./valid.ts";

export const NAMESPACE_TYPES = [
  "mount", "network", "uts", "pid", "ipc", "user", "cgroup", "time",
] as const;

export const NamespaceSchema = obj({
  type: oneOf(NAMESPACE_TYPES),
  path: v.optional(absPath("namespace path")),
});

/** Device node types: char, block, unbuffered char, fifo. */
export const DEVICE_TYPES = ["c", "b", "u", "p"] as const;

export const DeviceSchema = obj({
  type: oneOf(DEVICE_TYPES),
  path: absPath("device path"),
  // REQUIRED unless type is "p": checked in semantics.ts, where the type is known.
  major: v.optional(int64()),
  minor: v.optional(int64()),
  // os.FileMode: permission bits, possibly with type bits (Docker writes 8630 = 020666).
  fileMode: v.optional(uint32()),
  uid: v.optional(uint32()),
  gid: v.optional(uint32()),
});

export const TIME_OFFSET_CLOCKS = ["monotonic", "boottime"] as const;

export const TimeOffsetSchema = obj({
  secs: v.optional(int64()),
  nanosecs: v.optional(uint32()),
});

// The spec lists the first four; runc and containerd (CRI) also write the recursive forms.
export const ROOTFS_PROPAGATIONS = [
  "private", "shared", "slave", "unbindable", "rprivate", "rshared", "rslave", "runbindable",
] as const;

export const IntelRdtSchema = obj({
  closID: v.optional(str()),
  schemata: v.optional(str()),
  l3CacheSchema: v.optional(str()),
  memBwSchema: v.optional(str()),
  enableCMT: v.optional(bool()),
  enableMBM: v.optional(bool()),
});

export const PERSONALITY_DOMAINS = ["LINUX", "LINUX32"] as const;

export const PersonalitySchema = obj({
  domain: oneOf(PERSONALITY_DOMAINS),
  flags: v.optional(strArray()),
});

const pathList = (what: string) => arrayOf(absPath(what), "absolute paths");

export const LinuxSchema = obj({
  namespaces: v.optional(arrayOf(NamespaceSchema, "namespaces")),
  uidMappings: v.optional(arrayOf(IDMappingSchema, "id mappings")),
  gidMappings: v.optional(arrayOf(IDMappingSchema, "id mappings")),
  timeOffsets: v.optional(
    map(oneOf(TIME_OFFSET_CLOCKS), TimeOffsetSchema, "expected an object of clock offsets"),
  ),
  devices: v.optional(arrayOf(DeviceSchema, "devices")),
  cgroupsPath: v.optional(str()),
  resources: v.optional(LinuxResourcesSchema),
  intelRdt: v.optional(IntelRdtSchema),
  sysctl: v.optional(strMap()),
  seccomp: v.optional(SeccompSchema),
  rootfsPropagation: v.optional(oneOf(ROOTFS_PROPAGATIONS)),
  maskedPaths: v.optional(pathList("masked path")),
  readonlyPaths: v.optional(pathList("readonly path")),
  mountLabel: v.optional(str()),
  personality: v.optional(PersonalitySchema),
});

export type NamespaceType = (typeof NAMESPACE_TYPES)[number];
export type Namespace = v.InferOutput<typeof NamespaceSchema>;
export type Device = v.InferOutput<typeof DeviceSchema>;
export type TimeOffset = v.InferOutput<typeof TimeOffsetSchema>;
export type IntelRdt = v.InferOutput<typeof IntelRdtSchema>;
export type Personality = v.InferOutput<typeof PersonalitySchema>;
export type Linux = v.InferOutput<typeof LinuxSchema>;
