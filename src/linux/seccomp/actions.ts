// libseccomp action names → the 32-bit value a seccomp filter returns (linux/seccomp.h).
import type { SeccompAction, SeccompFlag } from "../../config/schema.ts";
import { SeccompError } from "./errors.ts";

export const RET_KILL_PROCESS = 0x80000000;
export const RET_KILL_THREAD = 0x00000000;
export const RET_TRAP = 0x00030000;
export const RET_ERRNO = 0x00050000;
export const RET_TRACE = 0x7ff00000;
export const RET_LOG = 0x7ffc0000;
export const RET_ALLOW = 0x7fff0000;
const RET_DATA = 0x0000ffff;

export const EPERM = 1;
export const ENOSYS = 38;

/**
 * The return value for `action`. ERRNO and TRACE carry `errnoRet` (EPERM when absent, as runc
 * does); it must fit SECCOMP_RET_DATA. NOTIFY needs a listener fd handed to an agent, which bunbox
 * does not have, so it is refused rather than silently turned into something else.
 */
export function actionValue(action: SeccompAction, errnoRet: number | undefined, where: string): number {
  switch (action) {
    case "SCMP_ACT_ALLOW": return RET_ALLOW;
    case "SCMP_ACT_ERRNO": return (RET_ERRNO | data(errnoRet, where)) >>> 0;
    case "SCMP_ACT_TRACE": return (RET_TRACE | data(errnoRet, where)) >>> 0;
    // libseccomp's SCMP_ACT_KILL has always meant "kill the thread".
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD": return RET_KILL_THREAD;
    case "SCMP_ACT_KILL_PROCESS": return RET_KILL_PROCESS;
    case "SCMP_ACT_TRAP": return RET_TRAP;
    case "SCMP_ACT_LOG": return RET_LOG;
    case "SCMP_ACT_NOTIFY":
      throw new SeccompError(`${where}: SCMP_ACT_NOTIFY is not supported (bunbox has no seccomp agent)`);
    default:
      throw new SeccompError(`${where}: unknown action ${JSON.stringify(action)}`);
  }
}

function data(errnoRet: number | undefined, where: string): number {
  const e = errnoRet ?? EPERM;
  if (!Number.isInteger(e) || e < 0 || e > RET_DATA) {
    throw new SeccompError(`${where}: errnoRet ${e} does not fit in 16 bits`);
  }
  return e;
}

/** Whether a default action lets through what the profile does not name (no ENOSYS rewrite). */
export function isPermissive(action: SeccompAction): boolean {
  return action === "SCMP_ACT_ALLOW" || action === "SCMP_ACT_LOG";
}

// seccomp(2) SECCOMP_FILTER_FLAG_* bits.
const FLAG_BITS: Record<SeccompFlag, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};

export function flagBits(flags: readonly SeccompFlag[] = []): number {
  let bits = 0;
  for (const f of flags) {
    const b = FLAG_BITS[f];
    if (b === undefined) throw new SeccompError(`unknown seccomp flag ${JSON.stringify(f)}`);
    bits |= b;
  }
  return bits;
}
