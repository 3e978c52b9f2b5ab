// What killed, failed or misplaced runs must not leave behind (issue 15, "Leaks"): each case
// failed on the binary before its fix.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname } from "node:path";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => sb.cleanup());

describe("a relative --root", () => {
  const parent = mkdtempSync(`${tmpdir()}/bunbox-relroot-`);
  const elsewhere = mkdtempSync(`${tmpdir()}/bunbox-elsewhere-`);
  afterAll(() => {
    sb.run(["--root", `${parent}/relroot`, "rm", "-f", "r3"]);
    rmSync(parent, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test("is stored absolute: start and rm work from another directory", () => {
    const made = sb.run(["--root", "relroot", "run", "-d", "--name", "r3", "busybox", "sleep", "60"], { cwd: parent });
    expect(made.code).toBe(0);
    const id = made.stdout.trim();
    const state = readFileSync(`${parent}/relroot/run/${id}/state.json`, "utf8");
    expect(state).toContain(`"${parent}/relroot/containers/${id}"`);
    expect(sb.run(["--root", "relroot", "stop", "-t", "1", "r3"], { cwd: parent }).code).toBe(0);
    const abs = `${parent}/relroot`;
    const started = sb.run(["--root", abs, "start", "r3"], { cwd: elsewhere });
    expect([started.code, started.stderr]).toEqual([0, ""]);
    expect(sb.run(["--root", `../${basename(parent)}/relroot`, "rm", "-f", "r3"], { cwd: elsewhere }).code).toBe(0);
    expect(readdirSync(`${abs}/containers`)).toEqual([]);
    expect(existsSync(dirname(abs))).toBe(true);
  });
});
