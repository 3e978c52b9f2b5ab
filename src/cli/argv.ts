// Splitting argv the way Docker does, which cac cannot do by itself: global options before the
// command word, and for `run`, everything after IMAGE is the container's command, verbatim.

export interface OptionSpec {
  /** Long names (without --) that take a value. */
  long: Set<string>;
  /** Short letters that take a value. */
  short: Set<string>;
}

/**
 * Index of the first positional argument (IMAGE) in `args`, skipping options and their values.
 * Returns args.length when there is none.
 */
export function firstPositional(args: string[], spec: OptionSpec): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return i + 1;
    if (a === "-" || !a.startsWith("-")) return i;
    if (a.startsWith("--")) {
      if (!a.includes("=") && spec.long.has(a.slice(2))) i++;
      continue;
    }
    // A cluster of short flags (-it, -e VALUE, -eKEY=VAL): a value flag takes the rest or the next arg
    for (let j = 1; j < a.length; j++) {
      if (spec.short.has(a[j]!)) {
        if (j === a.length - 1) i++;
        break;
      }
    }
  }
  return args.length;
}

export interface SplitRun {
  /** Options for bunbox (given to cac). */
  options: string[];
  image?: string;
  /** The container's command and arguments, untouched. */
  command: string[];
}

export function splitRunArgs(args: string[], spec: OptionSpec): SplitRun {
  const at = firstPositional(args, spec);
  const options = args.slice(0, at).filter((a, i) => !(a === "--" && i === at - 1));
  return { options, image: args[at], command: args.slice(at + 1) };
}

/** Global options that may come before the command word: `bunbox --root DIR run …`. */
export const GLOBAL_VALUE_OPTIONS = new Set(["root", "log", "log-format", "criu"]);

export function splitGlobal(args: string[]): { global: string[]; command?: string; rest: string[] } {
  const at = firstPositional(args, { long: GLOBAL_VALUE_OPTIONS, short: new Set() });
  return { global: args.slice(0, at), command: args[at], rest: args.slice(at + 1) };
}

/**
 * A boolean flag among run's options as the parser (cac, then cli/values.ts `bool`) will read it:
 * the last one wins, a bare flag or =true or =1 is true. For main.ts, which starts the init stage
 * before the parser has run.
 */
export function lastBoolFlag(options: string[], name: string): boolean {
  let on = false;
  for (const o of options) {
    if (o === `--${name}`) on = true;
    else if (o.startsWith(`--${name}=`)) on = ["true", "1"].includes(o.slice(name.length + 3));
  }
  return on;
}
