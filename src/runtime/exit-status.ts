import { SIGNALS } from "../sys/constants.ts";

/** The shell's convention, which Docker follows: the program's own status, or 128+N for signal N. */
export function exitStatus(exitCode: number | null, signalCode: string | null): number {
  if (signalCode) return 128 + (SIGNALS[signalCode.replace(/^SIG/, "")] ?? 0);
  return exitCode ?? 125;
}

/** Signals bunbox passes on to the container's process (Docker's sig-proxy). */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;
