// The bench's critical-path table: `--explain=timeline` run several times, each milestone of the
// timeline (src/runtime/timeline.ts) as the median of its time since bunbox started.
import { percentile } from "./util.ts";

/** One run's milestones from its stderr: "process: milestone" -> ms since bunbox started. */
export function parseTimeline(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stderr.split("\n")) {
    const m = line.match(/^timeline +([\d.]+) ms +\+ *[\d.]+ +(\w+) +(.*)$/);
    // A milestone reached twice in one run (a concept's steps resumed later) keeps its first time
    if (m && !out.has(`${m[2]}: ${m[3]}`)) out.set(`${m[2]}: ${m[3]}`, Number(m[1]));
  }
  return out;
}

/** Markdown rows, in order of the median times: milestone, process, median ms since start, and the gap from the row before. */
export function medianTimeline(runs: Map<string, number>[]): string[] {
  const all = new Map<string, number[]>();
  for (const run of runs) for (const [k, v] of run) all.set(k, [...(all.get(k) ?? []), v]);
  const rows = [...all].map(([k, xs]) => ({ k, at: percentile(xs, 50) })).sort((a, b) => a.at - b.at);
  let previous = 0;
  return rows.map(({ k, at }) => {
    const [who, ...what] = k.split(": ");
    const row = `| ${what.join(": ")} | ${who} | ${at.toFixed(1)} | +${(at - previous).toFixed(1)} |`;
    previous = at;
    return row;
  });
}
