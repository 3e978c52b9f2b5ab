// The wall clock to the nanosecond (CLOCK_REALTIME), as Go's time.Now() gives Docker's logs:
// Date has milliseconds only, and performance.now() is monotonic, not the wall clock.
import { libc } from "./libc.ts";

const CLOCK_REALTIME = 0;
const ts = new BigInt64Array(2);

/** Nanoseconds since the epoch. */
export function realtimeNs(): bigint {
  if (libc().clock_gettime(CLOCK_REALTIME, ts) !== 0) return BigInt(Date.now()) * 1_000_000n;
  return ts[0]! * 1_000_000_000n + ts[1]!;
}

/** Go's RFC3339NanoFixed in UTC (Docker's `logs -t`): 2006-01-02T15:04:05.000000000Z. */
export function rfc3339NanoFixed(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return new Date(ms).toISOString().slice(0, 19) + "." + frac + "Z";
}
