// How to start this same program again as a hidden stage (compiled binary or `bun src/main.ts`).
export function selfCommand(stage: string): string[] {
  const script = process.argv[1] ?? "";
  const compiled = script.startsWith("/$bunfs/") || script === process.execPath;
  return compiled ? [process.execPath, stage] : [process.execPath, script, stage];
}

export const INIT_STAGE = "__bunbox_init";
export const MONITOR_STAGE = "__bunbox_monitor";
export const USERNS_STAGE = "__bunbox_userns";
