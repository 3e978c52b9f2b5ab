// Helpers shared by the scripts in scripts/.
import { $ } from "bun";
import { join } from "node:path";

/** Repository root (scripts/lib/ is two levels down). */
export const ROOT = join(import.meta.dir, "..", "..");

let debArch: string | undefined;
/** The host's Debian architecture name (amd64, arm64). */
export async function hostDebArch(): Promise<string> {
  return (debArch ??= (await $`dpkg --print-architecture`.text()).trim());
}

export const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
