// runc's flag syntax (urfave/cli over Go's flag package): -name or --name, a value as the next
// argument or after "=", booleans optionally "=true|false"; flags end at the first positional
// argument or "--". Pure, so it is unit-tested.
import { BunboxError } from "../../errors.ts";

export interface FlagDef {
  /** Takes a value (otherwise a boolean). */
  value?: boolean;
  /** May repeat (values collect into an array). */
  multi?: boolean;
  alias?: string[];
}

export type FlagDefs = Record<string, FlagDef>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export class FlagError extends BunboxError {}

export function parseFlags(args: string[], defs: FlagDefs, opts: { interspersed?: boolean } = {}): { flags: FlagValues; positional: string[] } {
  const byName = new Map<string, string>();
  for (const [name, def] of Object.entries(defs)) {
    byName.set(name, name);
    for (const a of def.alias ?? []) byName.set(a, name);
  }
  const flags: FlagValues = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      if (!opts.interspersed) {
        positional.push(...args.slice(i));
        break;
      }
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = byName.get(rawName);
    if (!name) throw new FlagError(`flag provided but not defined: -${rawName}`);
    const def = defs[name]!;
    let value: string | boolean;
    if (def.value) {
      if (eq >= 0) value = body.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i]!;
      else throw new FlagError(`flag needs an argument: -${rawName}`);
    } else if (eq >= 0) {
      const v = body.slice(eq + 1);
      if (!/^(true|false|1|0|t|f|TRUE|FALSE|True|False)$/.test(v)) throw new FlagError(`invalid boolean value "${v}" for -${rawName}`);
      value = /^(true|1|t|TRUE|True)$/.test(v);
    } else {
      value = true;
    }
    if (def.multi) flags[name] = [...((flags[name] as string[] | undefined) ?? []), String(value)];
    else flags[name] = value;
  }
  return { flags, positional };
}

export const str = (v: FlagValues[string]): string | undefined => (typeof v === "string" ? v : undefined);
export const bool = (v: FlagValues[string]): boolean => v === true;
export const list = (v: FlagValues[string]): string[] => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []);
