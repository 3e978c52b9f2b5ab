// The flags of `create` and `run`: a module of their own, so that main.ts can find the bundle
// before the runtime's code is loaded (early-init.ts).
export const CREATE_FLAGS = {
  bundle: { value: true, alias: ["b"] },
  "pid-file": { value: true },
  "console-socket": { value: true },
  "preserve-fds": { value: true },
  "no-pivot": {},
  "no-new-keyring": {},
  detach: { alias: ["d"] },
  "keep": {},
  // bunbox's own: narrate each system call on stderr (-timing adds durations and the timeline,
  // -timeline prints the timeline alone)
  explain: {},
  "explain-timing": {},
  "explain-timeline": {},
};
