// Every failure becomes one line and Docker's exit status. bunbox's own errors carry both
// (BunboxError); what is left are the ones thrown by code that is not bunbox's: cac's option
// errors, Node's fs errors, and anything unforeseen, which is bunbox's failure: 125.
import { BunboxError } from "../errors.ts";
import { escapeControls } from "./sanitize.ts";

/** The one line for the user, whatever an image or container put in it (names, paths, arguments). */
export function describeError(e: unknown, command: string | undefined, argv: string[] = []): { message: string; exitCode: number } {
  const d = describe(e, command, argv);
  return { message: escapeControls(d.message), exitCode: d.exitCode };
}

function describe(e: unknown, command: string | undefined, argv: string[]): { message: string; exitCode: number } {
  if (e instanceof BunboxError) return { message: e.message, exitCode: e.exitCode };
  const err = e as Error;
  if (err?.name === "CACError") {
    const m = /Unknown option `(.*)`/.exec(err.message);
    if (m) return { message: `unknown flag: ${asTyped(m[1]!, argv)} (see 'bunbox ${command ?? ""} --help')`.replace("  ", " "), exitCode: 125 };
    const missing = /option `(.*)` value is missing/.exec(err.message);
    if (missing) return { message: `flag needs an argument: ${missing[1]!.split(" ").find((p) => p.startsWith("--"))?.replace(/[,]/g, "")}`, exitCode: 125 };
    return { message: err.message, exitCode: 125 };
  }
  if (err && typeof (err as NodeJS.ErrnoException).code === "string" && (err as NodeJS.ErrnoException).syscall) {
    const n = err as NodeJS.ErrnoException;
    return { message: `${n.syscall}${n.path ? ` ${n.path}` : ""}: ${n.code}`, exitCode: 125 };
  }
  return { message: err?.message ?? String(e), exitCode: 125 };
}

/** cac names an unknown option camelCased (`--bogusFlag`): the user's own spelling of it, found in argv. */
function asTyped(reported: string, argv: string[]): string {
  const end = argv.indexOf("--");
  for (const a of end < 0 ? argv : argv.slice(0, end)) {
    const m = /^(--?)([^=]+)/.exec(a);
    if (m && m[1]! + camelcase(m[2]!) === reported) return m[1]! + m[2]!;
  }
  return reported;
}

/** cac's camelcase of an option name. */
const camelcase = (name: string) => name.replace(/([a-z])-([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase());
