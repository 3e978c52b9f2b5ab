// linux.resources (config-linux.md "Control groups"). Also what `runc update --resources -` reads
// on stdin, so it stands alone here.
import * as v from "valibot";
import {
  arrayOf, map, bool, int64, intIn, matching, obj, oneOf, str, strMap, uint16, uint32, uint64,
} from "./valid.ts";

/** Device cgroup rule types: all, char, block. */
export const DEVICE_RULE_TYPES = ["a", "c", "b"] as const;

export const DeviceRuleSchema = obj({
  allow: bool(),
  type: v.optional(oneOf(DEVICE_RULE_TYPES)),
  // Absent (or -1, as some tools write it) means "any".
  major: v.optional(int64()),
  minor: v.optional(int64()),
  access: v.optional(matching(/^[rwm]*$/, "some of the letters r, w, m")),
});

export const MemorySchema = obj({
  // int64; -1 means unlimited.
  limit: v.optional(int64()),
  reservation: v.optional(int64()),
  swap: v.optional(int64()),
  kernel: v.optional(int64()),
  kernelTCP: v.optional(int64()),
  swappiness: v.optional(intIn(0, 100)),
  disableOOMKiller: v.optional(bool()),
  useHierarchy: v.optional(bool()),
  checkBeforeUpdate: v.optional(bool()),
});

export const CPUSchema = obj({
  shares: v.optional(uint64()),
  quota: v.optional(int64()),
  burst: v.optional(uint64()),
  period: v.optional(uint64()),
  realtimeRuntime: v.optional(int64()),
  realtimePeriod: v.optional(uint64()),
  cpus: v.optional(str()),
  mems: v.optional(str()),
  idle: v.optional(int64()),
});

export const PidsSchema = obj({
  limit: int64(), // <= 0 means no limit
});

const blockDevice = {
  major: int64(),
  minor: int64(),
};

// Weights are uint16; the kernel wants 10..1000 (blkio) or 1..10000 (io.weight) but Docker
// writes 0 to mean "unset", so the range is left to the cgroup driver.
export const WeightDeviceSchema = obj({
  ...blockDevice,
  weight: v.optional(uint16()),
  leafWeight: v.optional(uint16()),
});

export const ThrottleDeviceSchema = obj({
  ...blockDevice,
  rate: uint64(),
});

const throttles = () => v.optional(arrayOf(ThrottleDeviceSchema, "throttle devices"));

export const BlockIOSchema = obj({
  weight: v.optional(uint16()),
  leafWeight: v.optional(uint16()),
  weightDevice: v.optional(arrayOf(WeightDeviceSchema, "weight devices")),
  throttleReadBpsDevice: throttles(),
  throttleWriteBpsDevice: throttles(),
  throttleReadIOPSDevice: throttles(),
  throttleWriteIOPSDevice: throttles(),
});

export const HugepageLimitSchema = obj({
  pageSize: matching(/^[0-9]+[KMG]B$/, "a page size like 2MB or 1GB"),
  limit: uint64(),
});

export const NetworkSchema = obj({
  classID: v.optional(uint32()),
  priorities: v.optional(arrayOf(obj({ name: str(), priority: uint32() }), "interface priorities")),
});

export const RdmaSchema = obj({
  hcaHandles: v.optional(uint32()),
  hcaObjects: v.optional(uint32()),
});

export const LinuxResourcesSchema = obj({
  devices: v.optional(arrayOf(DeviceRuleSchema, "device rules")),
  memory: v.optional(MemorySchema),
  cpu: v.optional(CPUSchema),
  pids: v.optional(PidsSchema),
  blockIO: v.optional(BlockIOSchema),
  hugepageLimits: v.optional(arrayOf(HugepageLimitSchema, "hugepage limits")),
  network: v.optional(NetworkSchema),
  rdma: v.optional(map(v.string(), RdmaSchema, "expected an object of RDMA device limits")),
  unified: v.optional(strMap()),
});

export type DeviceRule = v.InferOutput<typeof DeviceRuleSchema>;
export type Memory = v.InferOutput<typeof MemorySchema>;
export type CPU = v.InferOutput<typeof CPUSchema>;
export type Pids = v.InferOutput<typeof PidsSchema>;
export type BlockIO = v.InferOutput<typeof BlockIOSchema>;
export type WeightDevice = v.InferOutput<typeof WeightDeviceSchema>;
export type ThrottleDevice = v.InferOutput<typeof ThrottleDeviceSchema>;
export type HugepageLimit = v.InferOutput<typeof HugepageLimitSchema>;
export type LinuxResources = v.InferOutput<typeof LinuxResourcesSchema>;
