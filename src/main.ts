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
  const { realContext } = await import("./wiring.ts");
  return runCli(args, realContext);
}

process.exitCode = await main();
