// What a command needs from the outside world, built lazily by main.ts: commands that only print
// help or parse flags never open libc or read cgroup mounts.
import type { CAC, Command } from "cac";
import { ArgumentCountError, UsageError } from "../config/errors.ts";
import { typedName } from "./groups.ts";
import type { Sys } from "../sys/sys.ts";
import type { CgroupHost } from "../cgroups/layout.ts";
import type { AppArmorHost } from "../host/apparmor.ts";
import type { HostProbe } from "../host/probe.ts";
import type { StatePaths } from "../state/paths.ts";
import type { ContainerStore } from "../state/containers.ts";
import type { ImageResolver, ImageStoreApi } from "../runtime/images.ts";
import type { SpawnedInit } from "../runtime/spawn-init.ts";

export interface Parsed {
  options: Record<string, unknown>;
  args: readonly string[];
  /** --help was given: help has been printed, the command should do nothing else. */
  help: boolean;
}

export interface Context {
  paths: StatePaths;
  sys(): Sys;
  /** The host's facts (cgroup files, kernel features, LSMs, the files a spec copies), each read on first use. */
  host(): HostProbe;
  /** The cgroup layout, parsed from host().cgroupFiles. */
  cgroupHost(): CgroupHost;
  /** AppArmor on this host: whether it is on, which profiles are loaded. */
  appArmor(): AppArmorHost;
  containers(): ContainerStore;
  images: ImageResolver;
  imageStore(): ImageStoreApi;
  /** Parses a command's own arguments with its cac definition (unknown flags throw). */
  parse(command: string, args: string[]): Parsed;
  /** Writes to stdout/stderr (only cli/ prints). */
  out(text: string): void;
  err(text: string): void;
  stderrIsTTY(): Promise<boolean>;
  /** The busybox image inside the binary (compressed tar). */
  embeddedImage(): Promise<Uint8Array>;
  /** The init stage main.ts started before parsing, for `run` (taken once). */
  takeEarlyInit(): SpawnedInit | undefined;
}

export function parseWith(cli: CAC, command: string, args: string[]): Parsed {
  checkNegatedFlags(cli, command, args);
  cli.parse(["bunbox", "bunbox", command, ...markValues(cli, command, explicitBooleans(cli, command, args))], { run: false });
  unmarkValues(cli.options);
  const cmd = cli.matchedCommand;
  if (!cmd) throw new Error(`no command ${command}`);
  if (cli.options.help) {
    cmd.outputHelp();
    return { options: cli.options, args: cli.args, help: true };
  }
  cmd.checkUnknownOptions();
  cmd.checkOptionValue();
  // cac keeps what follows `--` apart: `rm -f -- NAME` names a container all the same
  const positional = [...cli.args, ...((cli.options["--"] as string[] | undefined) ?? [])];
  checkArgumentCount(cmd, positional.length);
  return { options: cli.options, args: positional, help: false };
}

/**
 * mri reads any --no-X as "X is false", so an unknown --no-trunc was reported as an unknown
 * --trunc. Said here with the flag as it was typed.
 */
function checkNegatedFlags(cli: CAC, command: string, args: string[]): void {
  const known = new Set(optionsOf(cli, command).flatMap((o) => o.names));
  for (const a of args) {
    if (a === "--") return;
    const m = /^--no-([^=]+)/.exec(a);
    if (m && !known.has(camel(m[1]!))) {
      throw new UsageError(`unknown flag: ${m[0]} (see 'bunbox ${command} --help')`);
    }
  }
}

/** Docker's "requires at least 1 argument" (exit 1), from the <required> [optional] [...rest] of the definition. */
function checkArgumentCount(cmd: Command, given: number): void {
  const min = cmd.args.filter((a) => a.required).length;
  const max = cmd.args.some((a) => a.variadic) ? Infinity : cmd.args.length;
  if (given >= min && given <= max) return;
  const n = given < min ? min : max;
  const how = min === max ? "exactly" : given < min ? "at least" : "at most";
  // `container rm`, `volume ls` (volume-ls): named as the user typed them (cli/groups.ts)
  const name = typedName(cmd.name);
  const usage = cmd.usageText ? `: bunbox ${cmd.usageText}` : ` (see 'bunbox ${name} --help')`;
  throw new ArgumentCountError(`"bunbox ${name}" requires ${how} ${n} argument${n === 1 ? "" : "s"}${usage}`);
}

/**
 * cac tells mri its boolean options by camelCase name only, so a dashed boolean such as
 * `--read-only` would swallow the next argument as its value: spell it `--read-only=true`.
 */
function explicitBooleans(cli: CAC, command: string, args: string[]): string[] {
  const booleans = new Set(optionsOf(cli, command).filter((o) => o.isBoolean).flatMap((o) => o.names));
  return args.map((a) => {
    if (!a.startsWith("--") || a.includes("=") || !a.slice(2).includes("-")) return a;
    return booleans.has(camel(a.slice(2))) ? `${a}=true` : a;
  });
}

/** The options cac knows for `command` (none for undefined), the global ones included. */
function optionsOf(cli: CAC, command: string | undefined) {
  const cmd = command === undefined ? undefined : cli.commands.find((c) => c.name === command);
  return [...(cmd?.options ?? []), ...cli.globalCommand.options];
}

/** cac's name for an option: --env-file is envFile. */
const camel = (dashed: string): string => dashed.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * mri (inside cac) turns every option value that looks like a number into one: `-h 0123` became
 * the hostname 123, `--name 007` the name 7, `--entrypoint ''` the program "0". Values of options
 * that take one are marked with a leading NUL, which no argv string can contain, so mri keeps
 * them as strings; unmarkValues takes the mark off again after parsing. A next word starting
 * with "-" stays an option, unless it is a negative number (then it is the value, as in pflag).
 */
const MARK = "\u0000";

export function markValues(cli: CAC, command: string | undefined, args: string[]): string[] {
  const options = optionsOf(cli, command);
  const valued = new Set(options.filter((o) => !o.isBoolean).flatMap((o) => o.names));
  // `--explain [mode]`: an optional value is only ever written --explain=mode (pflag's rule for
  // such flags), so a bare --explain never swallows the image that follows it
  const optional = new Set(options.filter((o) => o.required === false).flatMap((o) => o.names));
  // -e and --env are one flag, but mri keeps each spelling's values apart and then copies one
  // list over the other (`-e A=1 --env B=2` lost A): short value flags are passed on as their long names
  const longOf = new Map(options.flatMap((o) => {
    const long = /--([\w-]+)/.exec(o.rawName)?.[1];
    return long ? o.names.filter((n) => n.length === 1).map((n) => [n, long] as [string, string]) : [];
  }));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (a.length > 1 && a[0] === "-" && a[1] !== "-" && !/^-\d/.test(a)) {
      const short = shortWithValue(a, valued, longOf);
      if (short) {
        out.push(...short.tokens);
        if (short.needsNext) {
          const next = args[i + 1];
          if (next !== undefined && (!next.startsWith("-") || /^-\d/.test(next))) {
            out.push(MARK + next);
            i++;
          }
        }
        continue;
      }
    }
    const m = /^(--?)([^=]+)(?:=([\s\S]*))?$/.exec(a);
    // long: --env-file is cac's envFile; short: in -it or -e, the last letter is the one given a value
    const name = !m ? undefined : m[1] === "--" ? camel(m[2]!) : m[2]!.slice(-1);
    if (!m || !name || !valued.has(name)) {
      out.push(a);
    } else if (m[3] !== undefined) {
      out.push(`${m[1]}${m[2]}=${MARK}${m[3]}`);
    } else if (optional.has(name)) {
      out.push(`${a}=${MARK}`);
    } else {
      out.push(a);
      const next = args[i + 1];
      if (next !== undefined && (!next.startsWith("-") || /^-\d/.test(next))) {
        out.push(MARK + next);
        i++;
      }
    }
  }
  return out;
}

/**
 * A short cluster (-it, -e VAL, -eKEY=VAL, -ie VAL, -e=VAL) whose first value-taking letter has a
 * long name: the letters before it stay a cluster, the letter becomes --long, and what follows it
 * in the same word is its value (pflag's rule: a leading "=" is dropped).
 */
function shortWithValue(a: string, valued: Set<string>, longOf: Map<string, string>): { tokens: string[]; needsNext: boolean } | undefined {
  for (let j = 1; j < a.length; j++) {
    const c = a[j]!;
    if (!valued.has(c)) continue;
    const long = longOf.get(c);
    if (!long) return undefined;
    const tokens = j > 1 ? [a.slice(0, j)] : [];
    const rest = a.slice(j + 1);
    if (rest === "") return { tokens: [...tokens, `--${long}`], needsNext: true };
    return { tokens: [...tokens, `--${long}=${MARK}${rest.startsWith("=") ? rest.slice(1) : rest}`], needsNext: false };
  }
  return undefined;
}

export function unmarkValues(options: Record<string, unknown>): void {
  const unmark = (v: unknown): unknown => (typeof v === "string" && v.startsWith(MARK) ? v.slice(1) : Array.isArray(v) ? v.map(unmark) : v);
  for (const [k, v] of Object.entries(options)) options[k] = unmark(v);
}
