// runc's words: its status names are the core's, and its refusals are libcontainer's sentences
// (ErrNotRunning "container not running", ErrNotPaused, "cannot start an already running container").
import type { RefusalWords } from "./transitions.ts";
import type { CoreStatus } from "./status.ts";

export function runcStatus(s: CoreStatus): CoreStatus {
  return s;
}

export const runcRefusal: RefusalWords = (verb, status, refusal, who) => {
  switch (verb) {
    case "start":
      if (refusal === "stopped") return "cannot start a container that has stopped";
      if (refusal === "already-running") return "cannot start an already running container";
      return `cannot start a container in the ${status} state`;
    case "exec":
      return `cannot exec in a ${status} container`;
    case "delete":
      return `cannot delete container ${who.id} that is not stopped: ${status}`;
    case "resume":
      return "container not paused";
    default:
      return "container not running";
  }
};
