// --explain=timing's timeline: the milestones of one container's start and end as each bunbox
// process saw them, so a talk (and the bench) can show where a container's milliseconds go and
// which process is on the critical path. Marks are on one clock, milliseconds since the epoch
// (performance.timeOrigin + now()), so the CLI's and the init stage's line up. Recording one is
// an array push, done on every run; only --explain=timing prints them.

/** A milestone and when it was reached (ms since the epoch). */
export type Mark = [what: string, at: number];

const own: Mark[] = [];
/** Marks another process sent (the init stage's, with its "ready"), by process name. */
const others: { who: string; marks: Mark[] }[] = [];

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function mark(what: string): void {
  own.push([what, now()]);
}

/** This process's marks, led by its start (Bun's time origin: the execve, give or take its loader). */
export function ownMarks(): Mark[] {
  return [["process started", performance.timeOrigin], ...own];
}

export function addMarks(who: string, marks: Mark[] | undefined): void {
  if (marks?.length) others.push({ who, marks });
}

/**
 * One line a milestone, in the order they happened: ms since the first process started, the gap
 * since the line before (what the time between two milestones was spent on is the later one's
 * work), and which process reached it.
 */
export function timelineText(lanes: { who: string; marks: Mark[] }[]): string {
  const rows = lanes.flatMap(({ who, marks }) => marks.map(([what, at]) => ({ who, what, at }))).sort((a, b) => a.at - b.at);
  if (!rows.length) return "";
  const t0 = rows[0]!.at;
  const width = Math.max(...lanes.map((l) => l.who.length));
  let previous = t0;
  const lines = rows.map(({ who, what, at }) => {
    const line = `timeline  ${(at - t0).toFixed(1).padStart(7)} ms  +${(at - previous).toFixed(1).padStart(5)}  ${who.padEnd(width)}  ${what}\n`;
    previous = at;
    return line;
  });
  return "timeline  (ms since bunbox started; + the time since the line before; the process that reached it)\n" + lines.join("");
}

/** The whole run's timeline: this process (`who`) and every process that sent its marks. */
export function fullTimeline(who: string): string {
  return timelineText([{ who, marks: ownMarks() }, ...others]);
}
