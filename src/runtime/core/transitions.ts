// Which verb may act on a container in which status: one table for both front ends, walked pair
// by pair by test/unit/runtime/transitions.test.ts. The model is runc's libcontainer state
// machine (container_linux.go, state_linux.go) and youki's ContainerStatus::can_start/can_kill/
// can_delete/can_pause/can_resume/can_exec.
//
// Docker's verbs act on a container's *program*: a Docker "created" container has not started it,
// so docker kill, pause, exec and top refuse it where runc's kill, pause and exec act on the
// waiting init. Docker's start is also "run it now", whatever came before (an exited container
// runs again; a running one is left alone). Those verbs have their own columns, so that the whole
// difference between the front ends is visible here, and their wording adapters only word.
import type { CoreStatus } from "./status.ts";
import { RuntimeError } from "../errors.ts";

export type Verb =
  // runc's verbs (and Docker's where the rule is the same: resume, delete)
  | "start" | "kill" | "pause" | "resume" | "exec" | "update" | "events" | "delete"
  // Docker's verbs on the program
  | "run" | "stop" | "kill-program" | "pause-program" | "exec-program" | "top";

/** ok: act; noop: nothing to do, and no error (Docker's start of a running container); else why not. */
export type Answer = "ok" | "noop" | Refusal;
export type Refusal = "not-running" | "not-paused" | "already-running" | "already-paused" | "stopped" | "paused" | "not-created" | "not-stopped";

const O = "ok", N = "noop";

/** Rows: the verb; columns: creating, created, running, paused, stopped. */
const TABLE: Record<Verb, Record<CoreStatus, Answer>> = {
  start:           { creating: "not-created", created: O, running: "already-running", paused: "not-created", stopped: "stopped" },
  kill:            { creating: "not-running", created: O, running: O, paused: O, stopped: "not-running" },
  pause:           { creating: "not-running", created: O, running: O, paused: "not-running", stopped: "not-running" },
  resume:          { creating: "not-paused", created: "not-paused", running: "not-paused", paused: O, stopped: "not-paused" },
  exec:            { creating: "not-running", created: O, running: O, paused: "paused", stopped: "stopped" },
  update:          { creating: O, created: O, running: O, paused: O, stopped: "not-running" },
  events:          { creating: O, created: O, running: O, paused: O, stopped: "not-running" },
  // running or paused: only with force (the caller kills it first)
  delete:          { creating: O, created: O, running: "not-stopped", paused: "not-stopped", stopped: O },
  run:             { creating: O, created: O, running: N, paused: "paused", stopped: O },
  stop:            { creating: N, created: N, running: O, paused: O, stopped: N },
  "kill-program":  { creating: "not-running", created: "not-running", running: O, paused: O, stopped: "not-running" },
  "pause-program": { creating: "not-running", created: "not-running", running: O, paused: "already-paused", stopped: "not-running" },
  "exec-program":  { creating: "not-running", created: "not-running", running: O, paused: O, stopped: "not-running" },
  top:             { creating: "not-running", created: "not-running", running: O, paused: O, stopped: "not-running" },
};

export const VERBS = Object.keys(TABLE) as Verb[];

export function can(status: CoreStatus, verb: Verb): Answer {
  return TABLE[verb][status];
}

/** The words a front end gives a refusal: its own status names and sentences. */
export type RefusalWords = (verb: Verb, status: CoreStatus, refusal: Refusal, who: { id: string; name?: string }) => string;

/** A verb the container's status does not allow: exit status 1, as Docker and runc answer. */
export class Refused extends RuntimeError {
  constructor(message: string, readonly verb: Verb, readonly status: CoreStatus, readonly refusal: Refusal) {
    super(message, 1);
  }
}

/** The table's answer for this container, or its front end's words for a refusal, thrown. */
export function allow(status: CoreStatus, verb: Verb, words: RefusalWords, who: { id: string; name?: string }): "ok" | "noop" {
  const answer = can(status, verb);
  if (answer === "ok" || answer === "noop") return answer;
  throw new Refused(words(verb, status, answer, who), verb, status, answer);
}
