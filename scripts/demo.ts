#!/usr/bin/env bun
// npm run demo: build, then run one throwaway busybox container and exit with its status.
import { join } from "node:path";
import { ROOT } from "./lib/util.ts";

const run = (cmd: string[]) => Bun.spawnSync(cmd, { cwd: ROOT, stdio: ["inherit", "inherit", "inherit"] }).exitCode;

const built = run([process.execPath, join(ROOT, "scripts", "build.ts")]);
if (built !== 0) process.exit(built);

const cmd = [join(ROOT, "dist", "bunbox"), "run", "--rm", "busybox", "sh", "-c", 'echo "hello from $(hostname), pid $$"; ps'];
console.log(`$ ${cmd.map((a) => (/[\s$"()]/.test(a) ? `'${a}'` : a)).join(" ")}`);
process.exit(run(cmd) ?? 1);
