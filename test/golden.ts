// Golden files: the exact expected output, reviewed like code. UPDATE_GOLDEN=1 rewrites them
// (a deliberate, visible diff); a missing golden file fails the test unless UPDATE_GOLDEN is set.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const DIR = `${import.meta.dir}/golden`;

export function golden(name: string, actual: string): string {
  const path = `${DIR}/${name}`;
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return actual;
  }
  if (!existsSync(path)) throw new Error(`golden file ${path} is missing: run with UPDATE_GOLDEN=1 and review it`);
  return readFileSync(path, "utf8");
}
