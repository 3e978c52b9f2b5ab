// --explain: one line per step as it is applied, grouped by concept, with the real call and the
// reason, from the very records the plan is made of (describe.ts). Colour only on a terminal.
import { writeAll } from "../sys/fsat.ts";
import type { Step } from "../linux/steps.ts";
import { describeCall } from "./describe.ts";

export interface Narration {
  timing: boolean;
  color: boolean;
  /**
   * --explain=timeline: no line a step, the timeline alone (timing is then true): what a run
   * costs without the narration's own writes (~4 ms of a `run`), for the bench.
   */
  steps?: false;
}

const COLORS: Record<string, string> = {
  namespaces: "\x1b[35m", filesystem: "\x1b[34m", network: "\x1b[36m", cgroups: "\x1b[33m", security: "\x1b[31m", process: "\x1b[32m", image: "\x1b[34m",
};
const DIM = "\x1b[2m", RESET = "\x1b[0m";

/** One line: `concept  call  # why`, with ` (1.2 ms)` when timed. */
export function narrationLine(concept: string, call: string, why: string, n: Narration, ms?: number): string {
  const time = n.timing && ms !== undefined ? `  (${ms.toFixed(2)} ms)` : "";
  if (!n.color) return `${concept.padEnd(11)} ${call}  # ${why}${time}\n`;
  return `${COLORS[concept] ?? ""}${concept.padEnd(11)}${RESET} ${call}  ${DIM}# ${why}${time}${RESET}\n`;
}

export function stepLine(step: Step, n: Narration, ms?: number): string {
  return narrationLine(step.concept, describeCall(step), step.why, n, ms);
}

/** Writes to fd 2 directly (the init stage has no streams to spare, and it must be synchronous). */
export function narrate(text: string): void {
  try { writeAll(2, Buffer.from(text)); } catch { /* stderr closed */ }
}

/** Colour when stderr is a terminal and NO_COLOR is not set (https://no-color.org). */
export function narrationFor(mode: string | boolean | undefined, stderrIsTTY: boolean): Narration | undefined {
  if (mode === undefined || mode === false) return undefined;
  return { timing: mode === "timing" || mode === "timeline", color: stderrIsTTY && !process.env.NO_COLOR, ...(mode === "timeline" ? { steps: false as const } : {}) };
}
