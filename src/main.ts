// The entry point and the only module with top-level effects: it picks the stage (the CLI, or
// the hidden init stage a container starts as), wires the real dependencies and sets the exit code.
import { INIT_STAGE } from "./runtime/self.ts";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === INIT_STAGE) {
    const [{ runInitStage }, { sys }] = await Promise.all([import("./runtime/init-stage.ts"), import("./sys/kernel.ts")]);
    return runInitStage(sys);
  }
  const { runCli } = await import("./cli/app.ts");
  // The real world (libc, cgroups, stores) is loaded only by commands that act on it
  return runCli(args, async (cli, global) => (await import("./wiring.ts")).realContext(cli, global));
}

// process.exit rather than exitCode: letting Bun tear the VM down by itself cost ~25 ms at exit
// (measured); all output is written synchronously (cli/output.ts), so nothing is lost.
process.exit(await main());
