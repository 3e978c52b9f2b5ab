// `list [--format table|json] [-q]`: every container under --root.
import { str, bool } from "./flags.ts";
import { parseFlags } from "./flags.ts";
import type { Subcommand } from "./env.ts";

export const list: Subcommand = async (args, env) => {
  const { flags } = parseFlags(args, { format: { value: true, alias: ["f"] }, quiet: { alias: ["q"] } });
  const states = env.store.list().map((r) => env.store.state(r));
  if (bool(flags.quiet)) {
    env.out(states.map((s) => s.id + "\n").join(""));
  } else if (str(flags.format) === "json") {
    env.out(JSON.stringify(states) + "\n");
  } else {
    const rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner || "root"])];
    const widths = rows[0]!.map((_, c) => Math.max(12, ...rows.map((r) => r[c]!.length + 3)));
    env.out(rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("") + "\n").join(""));
  }
  return 0;
};
