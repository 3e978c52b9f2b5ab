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

/** apt-get install the packages whose command is missing (bench tools, never the runtime). */
export async function aptEnsure(commands: Record<string, string>): Promise<void> {
  const missing = Object.entries(commands).filter(([cmd]) => !Bun.which(cmd)).map(([, pkg]) => pkg);
  if (!missing.length) return;
  console.error(`apt-get install ${missing.join(" ")}`);
  let r = await $`apt-get install -y -q --no-install-recommends ${missing}`.env({ ...process.env, DEBIAN_FRONTEND: "noninteractive" }).nothrow().quiet();
  if (r.exitCode !== 0) {
    await $`apt-get update -q`.quiet();
    r = await $`apt-get install -y -q --no-install-recommends ${missing}`.env({ ...process.env, DEBIAN_FRONTEND: "noninteractive" }).nothrow().quiet();
  }
  if (r.exitCode !== 0) throw new Error(`apt-get install ${missing.join(" ")} failed:\n${r.stderr}`);
}

/** Nearest-rank percentile of a sample (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}
