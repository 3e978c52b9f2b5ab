// --cap-add / --cap-drop / --privileged → the capability list, as Docker computes it
// (TweakCapabilities): ALL in --cap-add gives every capability; ALL in --cap-drop starts from
// none; otherwise the defaults minus drops plus adds. Names may omit CAP_ and any case.
import { CAPS } from "../sys/constants.ts";
import { DEFAULT_CAPS } from "./docker-defaults.ts";
import { UsageError } from "./errors.ts";

export const ALL_CAPS = CAPS.map((c) => `CAP_${c}`);

function normalise(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === "ALL") return "ALL";
  const full = upper.startsWith("CAP_") ? upper : `CAP_${upper}`;
  if (!ALL_CAPS.includes(full)) throw new UsageError(`unknown capability: "${name}" (see capabilities(7) for the names)`);
  return full;
}

export function computeCapabilities(adds: string[], drops: string[], privileged: boolean): string[] {
  if (privileged) return [...ALL_CAPS];
  const add = adds.map(normalise), drop = drops.map(normalise);
  if (add.includes("ALL")) return ALL_CAPS.filter((c) => !drop.includes(c));
  const base = drop.includes("ALL") ? [] : DEFAULT_CAPS.filter((c) => !drop.includes(c));
  const out = [...base];
  for (const c of add) if (!out.includes(c)) out.push(c);
  // Keep capability-number order, as Docker's config.json and /proc show them
  return ALL_CAPS.filter((c) => out.includes(c));
}
