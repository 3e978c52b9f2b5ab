// Capability names ↔ 64-bit masks, and the step that sets the five sets.
import { CAPS } from "../../sys/constants.ts";
import type { Step } from "../steps.ts";

export interface CapabilitySets { bounding?: string[]; effective?: string[]; permitted?: string[]; inheritable?: string[]; ambient?: string[] }

export function capMask(names: string[] = []): bigint {
  let mask = 0n;
  for (const raw of names) {
    const name = raw.toUpperCase().replace(/^CAP_/, "");
    const bit = CAPS.indexOf(name as (typeof CAPS)[number]);
    if (bit < 0) throw new Error(`unknown capability ${raw}`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

export function capNames(mask: bigint): string[] {
  return CAPS.filter((_, i) => (mask >> BigInt(i)) & 1n).map((n) => `CAP_${n}`);
}

const hex = (m: bigint) => m.toString(16).padStart(16, "0");

/** holdForFilter: a seccomp filter without no_new_privs follows (steps.ts says why). */
export function planCapabilities(c: CapabilitySets, holdForFilter = false): Step {
  const bounding = capMask(c.bounding);
  return {
    kind: "capabilities",
    bounding: hex(bounding), effective: hex(capMask(c.effective)), permitted: hex(capMask(c.permitted)),
    inheritable: hex(capMask(c.inheritable)), ambient: hex(capMask(c.ambient)),
    ...(holdForFilter ? { holdForFilter } : {}),
    concept: "security",
    why: `keep ${capNames(bounding).length} capabilities (CapBnd ${hex(bounding)}), drop the rest`,
  };
}

/**
 * What `sets` asks for that bunbox itself does not hold (its permitted set: a host may withhold
 * some, e.g. CAP_SYS_RESOURCE), among the capabilities the kernel knows. runc refuses such a
 * spec; so does `bunbox runc` (Docker's --privileged gets what bunbox holds instead).
 */
export function unheldCapabilities(c: CapabilitySets, held: bigint, lastCap: number): string[] {
  const asked = [c.bounding, c.effective, c.permitted, c.inheritable, c.ambient].reduce((m, s) => m | capMask(s), 0n);
  const known = (1n << BigInt(lastCap + 1)) - 1n;
  return capNames(asked & known & ~held);
}
