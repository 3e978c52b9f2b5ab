// The container core's rules, walked pair by pair: every (status, verb) answer is stated here as
// runc's libcontainer and Docker's daemon give it, and each refusal is checked in both front
// ends' words. A change to the table shows up here as a visible diff.
import { describe, expect, test } from "bun:test";
import { can, allow, Refused, VERBS, type Verb, type Answer } from "../../../src/runtime/core/transitions.ts";
import { CORE_STATUSES, deriveStatus, type CoreStatus, type StatusFacts } from "../../../src/runtime/core/status.ts";
import { runcRefusal } from "../../../src/runtime/core/words-runc.ts";
import { dockerRefusal, dockerStatus } from "../../../src/runtime/core/words-docker.ts";

// Columns: creating, created, running, paused, stopped
const EXPECTED: Record<Verb, [Answer, Answer, Answer, Answer, Answer]> = {
  start: ["not-created", "ok", "already-running", "not-created", "stopped"],
  kill: ["not-running", "ok", "ok", "ok", "not-running"],
  pause: ["not-running", "ok", "ok", "not-running", "not-running"],
  resume: ["not-paused", "not-paused", "not-paused", "ok", "not-paused"],
  exec: ["not-running", "ok", "ok", "paused", "stopped"],
  update: ["ok", "ok", "ok", "ok", "not-running"],
  events: ["ok", "ok", "ok", "ok", "not-running"],
  delete: ["ok", "ok", "not-stopped", "not-stopped", "ok"],
  run: ["ok", "ok", "noop", "paused", "ok"],
  stop: ["noop", "noop", "ok", "ok", "noop"],
  "kill-program": ["not-running", "not-running", "ok", "ok", "not-running"],
  "pause-program": ["not-running", "not-running", "ok", "already-paused", "not-running"],
  "exec-program": ["not-running", "not-running", "ok", "ok", "not-running"],
  top: ["not-running", "not-running", "ok", "ok", "not-running"],
};

// What runc 1.x prints for each refusal (libcontainer's errors), by verb and status
const RUNC_WORDS: Partial<Record<Verb, Partial<Record<CoreStatus, string>>>> = {
  start: { creating: "cannot start a container in the creating state", running: "cannot start an already running container", paused: "cannot start a container in the paused state", stopped: "cannot start a container that has stopped" },
  kill: { creating: "container not running", stopped: "container not running" },
  pause: { creating: "container not running", paused: "container not running", stopped: "container not running" },
  resume: { creating: "container not paused", created: "container not paused", running: "container not paused", stopped: "container not paused" },
  exec: { creating: "cannot exec in a creating container", paused: "cannot exec in a paused container", stopped: "cannot exec in a stopped container" },
  update: { stopped: "container not running" },
  events: { stopped: "container not running" },
  delete: { running: "cannot delete container c1 that is not stopped: running", paused: "cannot delete container c1 that is not stopped: paused" },
};

// What Docker's daemon answers (the container named "web", id "c1")
const not = "container web is not running";
const DOCKER_WORDS: Partial<Record<Verb, Partial<Record<CoreStatus, string>>>> = {
  run: { paused: "cannot start a paused container, try unpause instead" },
  resume: { creating: "container web is not paused", created: "container web is not paused", running: "container web is not paused", stopped: "container web is not paused" },
  delete: { running: "cannot remove container web: container is running: stop the container before removing or force remove (rm -f)", paused: "cannot remove container web: container is running: stop the container before removing or force remove (rm -f)" },
  "kill-program": { creating: "cannot kill container web: container c1 is not running", created: "cannot kill container web: container c1 is not running", stopped: "cannot kill container web: container c1 is not running" },
  "pause-program": { creating: not, created: not, paused: "container web is already paused", stopped: not },
  "exec-program": { creating: "container c1 is not running", created: "container c1 is not running", stopped: "container c1 is not running" },
  top: { creating: not, created: not, stopped: not },
};

const RUNC_VERBS: Verb[] = ["start", "kill", "pause", "resume", "exec", "update", "events", "delete"];
const DOCKER_VERBS: Verb[] = ["run", "stop", "kill-program", "pause-program", "resume", "exec-program", "top", "delete"];

describe("the transition table", () => {
  test("lists every verb, and each front end's verbs are in it", () => {
    expect([...VERBS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(new Set([...RUNC_VERBS, ...DOCKER_VERBS])).toEqual(new Set(VERBS));
  });

  for (const verb of VERBS) {
    for (const [i, status] of CORE_STATUSES.entries()) {
      const want = EXPECTED[verb][i]!;
      test(`${verb} on ${status}: ${want}`, () => {
        expect(can(status, verb)).toBe(want);
        const who = { id: "c1", name: "web" };
        for (const [front, words, verbs, said] of [["runc", runcRefusal, RUNC_VERBS, RUNC_WORDS], ["docker", dockerRefusal, DOCKER_VERBS, DOCKER_WORDS]] as const) {
          if (!verbs.includes(verb)) continue;
          if (want === "ok" || want === "noop") {
            expect(allow(status, verb, words, who)).toBe(want);
            expect(said[verb]?.[status]).toBeUndefined();
            continue;
          }
          let thrown: unknown;
          try { allow(status, verb, words, who); } catch (e) { thrown = e; }
          expect(thrown).toBeInstanceOf(Refused);
          expect({ front, message: (thrown as Refused).message, exitCode: (thrown as Refused).exitCode }).toEqual({ front, message: said[verb]?.[status] ?? "(no words stated)", exitCode: 1 });
        }
      });
    }
  }
});

describe("status from facts", () => {
  const facts = (f: Partial<Omit<StatusFacts, "alive" | "execFifo" | "frozen">> & { alive?: boolean; execFifo?: boolean; frozen?: boolean }): StatusFacts => ({
    endRecorded: f.endRecorded ?? false, hasPid: f.hasPid ?? true,
    alive: () => f.alive ?? true, execFifo: () => f.execFifo ?? false, frozen: () => f.frozen ?? false,
  });

  test("every combination of facts gives the status runc's refreshState gives", () => {
    const seen = new Map<CoreStatus, number>();
    for (let bits = 0; bits < 32; bits++) {
      const [endRecorded, hasPid, alive, execFifo, frozen] = [0, 1, 2, 3, 4].map((b) => (bits & (1 << b)) !== 0) as [boolean, boolean, boolean, boolean, boolean];
      const want: CoreStatus = endRecorded ? "stopped" : !hasPid ? "creating" : !alive ? "stopped" : execFifo ? "created" : frozen ? "paused" : "running";
      const got = deriveStatus(facts({ endRecorded, hasPid, alive, execFifo, frozen }));
      expect({ bits, got }).toEqual({ bits, got: want });
      seen.set(got, (seen.get(got) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...CORE_STATUSES].sort());
  });

  test("a recorded end is not second-guessed: a reused pid does not make it run again", () => {
    expect(deriveStatus({ endRecorded: true, hasPid: true, alive: () => { throw new Error("read"); }, execFifo: () => true, frozen: () => true })).toBe("stopped");
  });

  test("Docker's words for the statuses", () => {
    expect(CORE_STATUSES.map(dockerStatus)).toEqual(["created", "created", "running", "paused", "exited"]);
  });
});
