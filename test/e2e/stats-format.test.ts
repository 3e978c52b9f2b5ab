// stats --format with a Go template, as docker stats takes it: its fields, `table` headers.
import { afterAll, expect, test } from "bun:test";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "st"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

test("stats --no-stream --format TEMPLATE: each field, table headers, Docker's errors", () => {
  const id = sb.run(["run", "-d", "--name", "st", "-m", "64m", "busybox", "sleep", "60"]).stdout.trim();
  const fields = "{{.Container}}|{{.Name}}|{{.ID}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}";
  const byName = sb.run(["stats", "--no-stream", "--format", fields, "st"]);
  expect(byName.code).toBe(0);
  expect(byName.stdout).toMatch(new RegExp(`^st\\|st\\|${id.slice(0, 12)}\\|\\d+\\.\\d\\d%\\|[\\d.]+[KMG]?i?B / 64MiB\\|\\d+\\.\\d\\d%\\|0B / 0B\\|[\\d.]+[kMG]?B / [\\d.]+[kMG]?B\\|1\\n$`));
  // Without names given, .Container is the short id (Docker's)
  expect(sb.run(["stats", "--no-stream", "--format", "{{.Container}} {{.Name}}"]).stdout).toBe(`${id.slice(0, 12)} st\n`);
  const tableOut = sb.run(["stats", "--no-stream", "--format", "table {{.Name}}\\t{{.PIDs}}\\t{{.MemUsage}}", "st"]).stdout;
  expect(tableOut).toMatch(/^NAME +PIDS +MEM USAGE \/ LIMIT\nst +1 +\S+ \/ 64MiB\n$/);
  const bad = sb.run(["stats", "--no-stream", "--format", "{{.Nope}}", "st"]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("can't evaluate field Nope");
  expect(sb.run(["stats", "--no-stream", "--format", "{{.Name", "st"]).code).toBe(1);
});
