// Docker's records read through the container core: each moment of a container's life (run,
// create, start, end, a reboot while created) with the facts the host would show then.
import { expect, test } from "bun:test";
import { coreStatusOf, statusOf } from "../../../src/runtime/lifecycle.ts";
import type { HostFacts } from "../../../src/runtime/core/facts.ts";
import type { ContainerRecord } from "../../../src/state/containers.ts";

const base: ContainerRecord = { id: "c".repeat(64), name: "web", image: "busybox", command: ["true"], created: "2026-12-07T00:00:00Z", bundle: "/b/c", status: "created" };

function host(f: { alive?: boolean; fifo?: boolean; frozen?: boolean }): HostFacts {
  return {
    alive: (pid) => pid !== undefined && (f.alive ?? false),
    exists: (path) => {
      expect(path).toBe("/b/c/exec.fifo");
      return f.fifo ?? false;
    },
    frozen: () => f.frozen ?? false,
  };
}

const cases: [string, Partial<ContainerRecord>, Parameters<typeof host>[0], string][] = [
  ["run, before its init is spawned", {}, {}, "creating"],
  ["run, init spawned, program running", { pid: 10, startTime: 1, status: "running" }, { alive: true }, "running"],
  ["run, init spawned, not yet recorded running", { pid: 10, startTime: 1 }, { alive: true }, "running"],
  ["paused", { pid: 10, startTime: 1, status: "running" }, { alive: true, frozen: true }, "paused"],
  ["its pid gone, end not yet recorded (bunbox killed)", { pid: 10, startTime: 1, status: "running" }, { alive: false }, "stopped"],
  ["recorded running without a pid", { status: "running" }, {}, "stopped"],
  ["end recorded; its pid reused by another program", { pid: 10, startTime: 1, status: "exited", exitCode: 0 }, { alive: true }, "stopped"],
  ["create: init waits on the exec fifo", { pid: 10, startTime: 1, manualStart: true }, { alive: true, fifo: true }, "created"],
  ["create: released, program running", { pid: 10, startTime: 1, manualStart: true, status: "running", startedAt: "t" }, { alive: true }, "running"],
  ["create: waiting init gone (a reboot): still Created, start sets it up anew", { pid: 10, startTime: 1, manualStart: true }, { alive: false, fifo: true }, "creating"],
  ["create: its start failed (exit recorded)", { pid: 10, startTime: 1, manualStart: true, exitCode: 127 }, { alive: false }, "stopped"],
  ["create, started once, ended", { pid: 10, startTime: 1, manualStart: true, status: "exited", exitCode: 0, startedAt: "t" }, {}, "stopped"],
];

for (const [what, rec, facts, want] of cases) {
  test(`${what}: ${want}`, () => {
    expect(coreStatusOf({ ...base, ...rec }, host(facts))).toBe(want as never);
  });
}

test("Docker's words: both kinds of not-yet-running are created, an end is exited", () => {
  expect(statusOf(base)).toBe("created");
  expect(statusOf({ ...base, status: "exited", exitCode: 1 })).toBe("exited");
});
