// Issue 14, item 10. `--init`: bunbox's init stage stays PID 1 once the program runs; it only
// passes signals on and reaps, so it must not keep the container's 14 capabilities (as -u 1000 it
// kept them all). And what a container controls (its command lines) reaches the user's terminal
// through `top` and `ps`: escape sequences are shown as procps shows them, "?".
import { afterAll, describe, expect, test } from "bun:test";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();

afterAll(() => {
  for (const name of ["init-stop", "escapes"]) sb.run(["rm", "-f", name]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

/** Each distinct "CapPrm CapEff" line among PID 1's threads, and the program's own CapEff. */
const LOOK = `sleep 1; for t in /proc/1/task/*; do grep -E "^(CapPrm|CapEff):" $t/status | cut -f2 | tr "\\n" " "; echo; done | sort -u; grep ^CapEff: /proc/self/status | cut -f2`;

describe("--init: PID 1 keeps only what passing signals on needs", () => {
  test("-u 1000: no capability in any thread of PID 1 (the program has none either)", () => {
    const r = sb.box(["--init", "-u", "1000", "busybox", "sh", "-c", LOOK]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "0000000000000000 0000000000000000 \n0000000000000000\n", ""]);
  });

  test("root: CAP_KILL alone (signals reach a program that changed user); the program keeps Docker's 14", () => {
    const r = sb.box(["--init", "busybox", "sh", "-c", LOOK]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "0000000000000020 0000000000000020 \n00000000a80425fb\n", ""]);
  });

  test("-u 1000: stop still reaches the program through the init (143, not a SIGKILL after the timeout)", () => {
    expect(sb.run(["run", "-d", "--init", "-u", "1000", "--name", "init-stop", "busybox", "sleep", "60"]).code).toBe(0);
    const t0 = Date.now();
    expect(sb.run(["stop", "-t", "20", "init-stop"]).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(sb.run(["inspect", "-f", "{{.State.ExitCode}}", "init-stop"]).stdout).toBe("143\n");
  });
});

describe("top and ps print a container's command lines as procps does", () => {
  const hostile = "sleep 60; true \x1b]0;pwned\x07 \x1b[2J";

  test("an OSC title sequence and a clear-screen in a command line show as ?", () => {
    expect(sb.run(["run", "-d", "--name", "escapes", "busybox", "sh", "-c", hostile]).code).toBe(0);
    const top = sb.run(["top", "escapes"]);
    expect(top.code).toBe(0);
    expect(top.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(top.stdout).toContain("sh -c sleep 60; true ?]0;pwned? ?[2J");
    const ps = sb.run(["ps", "--no-trunc"]);
    expect(ps.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(ps.stdout).toContain(`"sh -c 'sleep 60; true ?]0;pwned? ?[2J'"`);
    const template = sb.run(["ps", "--no-trunc", "--format", "{{.Command}}"]);
    expect(template.stdout).toBe(`"sh -c 'sleep 60; true ?]0;pwned? ?[2J'"\n`);
  });
});
