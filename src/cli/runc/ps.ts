// `ps [--format table|json] ID [PS ARGS]`: the host pids in the container's cgroup. JSON is what
// docker top asks for; the table runs the host's ps and keeps the container's lines.
import { str } from "./flags.ts";
import type { Subcommand } from "./env.ts";
import { oneId } from "./one-id.ts";
import { ociPs } from "../../runtime/oci/container.ts";
import { RuntimeError } from "../../runtime/errors.ts";

export const ps: Subcommand = async (args, env) => {
  const { id, flags, rest } = oneId(args, { format: { value: true, alias: ["f"] } }, 1000);
  const pids = ociPs(id, env.deps());
  const format = str(flags.format) ?? "table";
  if (format === "json") {
    env.out(JSON.stringify(pids) + "\n");
    return 0;
  }
  if (format !== "table") throw new RuntimeError(`invalid format option`, 1);
  const r = Bun.spawnSync(["ps", ...(rest.length ? rest : ["-ef"])], { stdout: "pipe", stderr: "pipe" });
  const lines = r.stdout.toString().split("\n");
  const header = lines[0] ?? "";
  const pidCol = header.trim().split(/\s+/).indexOf("PID");
  const keep = lines.slice(1).filter((l) => l && pids.includes(Number(l.trim().split(/\s+/)[pidCol])));
  env.out([header, ...keep].join("\n") + "\n");
  return 0;
};
