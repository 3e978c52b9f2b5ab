// Facts about host processes from /proc, used to derive a container's status (a pid is only
// "ours" if it is alive with the start time recorded when the container started).
import { readFileSync } from "../sys/files.ts";

/** starttime (clock ticks since boot, field 22 of /proc/<pid>/stat), or undefined if gone. */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined, startTime: number | undefined): boolean {
  return pid !== undefined && startTime !== undefined && processStartTime(pid) === startTime;
}
