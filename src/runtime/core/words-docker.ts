// Docker's words: its status names (a container not yet spawned is "created" too, an ended one
// "exited") and the daemon's sentences for refusals, which name the container as the user did.
import type { RefusalWords } from "./transitions.ts";
import type { CoreStatus } from "./status.ts";

export type DockerStatus = "created" | "running" | "paused" | "exited";

export function dockerStatus(s: CoreStatus): DockerStatus {
  if (s === "creating") return "created";
  if (s === "stopped") return "exited";
  return s;
}

export const dockerRefusal: RefusalWords = (verb, _status, refusal, who) => {
  const name = who.name ?? who.id;
  switch (verb) {
    case "run": return "cannot start a paused container, try unpause instead";
    case "kill-program": return `cannot kill container ${name}: container ${who.id} is not running`;
    case "pause-program": return refusal === "already-paused" ? `container ${name} is already paused` : `container ${name} is not running`;
    case "resume": return `container ${name} is not paused`;
    case "exec-program": return `container ${who.id} is not running`;
    case "delete": return `cannot remove container ${name}: container is running: stop the container before removing or force remove (rm -f)`;
    default: return `container ${name} is not running`;
  }
};
