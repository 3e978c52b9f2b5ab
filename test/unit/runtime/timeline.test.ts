// --explain=timing's timeline (runtime/timeline.ts): both processes' marks merged in time order,
// each with its time since the first and the gap since the line before.
import { expect, test } from "bun:test";
import { timelineText } from "../../../src/runtime/timeline.ts";

test("marks of two processes are merged by time, with offsets from the first and gaps from the previous line", () => {
  const t = 1_796_600_000_000;
  const text = timelineText([
    { who: "cli", marks: [["process started", t], ["plan sent", t + 20.25], ["program exited", t + 41]] },
    { who: "init", marks: [["process started", t + 9.5], ["plan received", t + 20.5]] },
  ]);
  expect(text.split("\n").slice(1)).toEqual([
    "timeline      0.0 ms  +  0.0  cli   process started",
    "timeline      9.5 ms  +  9.5  init  process started",
    "timeline     20.3 ms  + 10.8  cli   plan sent",
    "timeline     20.5 ms  +  0.3  init  plan received",
    "timeline     41.0 ms  + 20.5  cli   program exited",
    "",
  ]);
});

test("no marks: no timeline", () => {
  expect(timelineText([{ who: "cli", marks: [] }])).toBe("");
});

test("the bench reads what the timeline prints, and orders the milestones by their medians", async () => {
  const { parseTimeline, medianTimeline } = await import("../../../scripts/lib/timeline.ts");
  const t = 1_796_600_000_000;
  const run = (planSent: number, received: number) => timelineText([
    { who: "cli", marks: [["process started", t], ["plan sent", t + planSent]] },
    { who: "init", marks: [["plan received", t + received], ["namespaces steps done", t + received + 1], ["namespaces steps done", t + received + 9]] },
  ]);
  const runs = [run(20, 21), run(22, 23), run(30, 31)].map(parseTimeline);
  expect([...runs[0]!]).toEqual([["cli: process started", 0], ["cli: plan sent", 20], ["init: plan received", 21], ["init: namespaces steps done", 22]]);
  expect(medianTimeline(runs)).toEqual([
    "| process started | cli | 0.0 | +0.0 |",
    "| plan sent | cli | 22.0 | +22.0 |",
    "| plan received | init | 23.0 | +1.0 |",
    "| namespaces steps done | init | 24.0 | +1.0 |",
  ]);
});
