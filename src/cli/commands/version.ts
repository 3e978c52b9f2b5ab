// `bunbox version [-f FORMAT]` and `bunbox --version`: bunbox's version, and with a format Docker's
// `version --format` over the same fields as Docker's Client and Server (bunbox is both).
import { parseTemplate } from "../template.ts";
import { UsageError } from "../../config/errors.ts";
import { VERSION, COMMIT } from "../version.ts";
import { readFileSync } from "../../sys/files.ts";

/** What `version` prints for `args` (the words after it). */
export function versionText(args: string[]): string {
  if (args.includes("--help") || args.includes("-h")) return USAGE;
  const format = formatOf(args);
  if (format === undefined) return `bunbox version ${VERSION}\ncommit: ${COMMIT}\nspec: 1.2.0\n`;
  return parseTemplate(format, { structs: true }).execute(versionInfo()) + "\n";
}

const USAGE = "\nUsage:  bunbox version [OPTIONS]\n\nShow the bunbox version information\n\nOptions:\n  -f, --format string   Format the output using the given Go template\n";

function formatOf(args: string[]): string | undefined {
  let format: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-f" || a === "--format") {
      if (i + 1 >= args.length) throw new UsageError(`flag needs an argument: ${a}`);
      format = args[++i];
    } else if (a.startsWith("--format=")) format = a.slice("--format=".length);
    else if (a.startsWith("-f") && a.length > 2) format = a.slice(2);
    else if (a.startsWith("-")) throw new UsageError(`unknown flag: ${a}`);
    else throw new UsageError(`"bunbox version" accepts no arguments`);
  }
  return format;
}

/** Docker's version fields that bunbox has: one program is client and engine. */
function versionInfo() {
  // APIVersion: the Engine API whose CLI answers bunbox follows (Docker 20.10's); GoVersion: what
  // it is built with instead; no build time is recorded
  const common = { Version: VERSION, APIVersion: "1.41", GitCommit: COMMIT, GoVersion: `bun${Bun.version}`, Os: "linux", Arch: process.arch === "x64" ? "amd64" : process.arch, BuildTime: "", Experimental: false };
  return {
    Client: { Platform: { Name: "bunbox" }, ...common, DefaultAPIVersion: "1.41" },
    Server: { Platform: { Name: "bunbox" }, ...common, MinAPIVersion: "1.12", KernelVersion: kernelRelease(), Components: [{ Name: "Engine", Version: VERSION }] },
  };
}

function kernelRelease(): string {
  try {
    return readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    return "";
  }
}
