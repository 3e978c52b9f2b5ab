// runc's words: its status names are the core's as they are (creating, created, running, paused,
// stopped: runtime-spec's), and its refusals are libcontainer's sentences (ErrNotRunning
// "container not running", ErrNotPaused, "cannot start an already running container").
import type { RefusalWords } from "./transitions.ts";

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
