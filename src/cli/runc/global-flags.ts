// runc's global options (before the command word): a module of their own, so that main.ts can
// find the command and its bundle before the runtime's code is loaded (early-init.ts).
export const GLOBAL_FLAGS = {
  root: { value: true },
  log: { value: true },
  "log-format": { value: true },
  debug: {},
  "systemd-cgroup": {},
  rootless: { value: false },
  criu: { value: true },
  help: { alias: ["h"] },
  version: { alias: ["v"] },
};
