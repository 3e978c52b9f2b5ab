// What killed, failed or misplaced runs must not leave behind (issue 15, "Leaks"): each case
// failed on the binary before its fix.
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, existsSync, mkdirSync, openSync, writeSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname } from "node:path";
import { Sandbox, BIN } from "./harness.ts";

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

describe("names: a failed create releases its name", () => {
  // A full disk: a small tmpfs as --root, filled once the busybox image is in it
  const full = mkdtempSync(`${tmpdir()}/bunbox-full-`);
  const mount = (args: string[]) => Bun.spawnSync(args).exitCode;
  afterAll(() => {
    mount(["umount", full]);
    rmSync(full, { recursive: true, force: true });
  });

  test("on a full disk: the error names its file, and the name is free afterwards", () => {
    expect(mount(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", full])).toBe(0);
    expect(sb.run(["--root", full, "run", "--rm", "busybox", "true"]).code).toBe(0);
    Bun.spawnSync(["dd", "if=/dev/zero", `of=${full}/filler`, "bs=4k"]);
    for (let i = 0; i < 3; i++) {
      const r = sb.run(["--root", full, "run", "--rm", "--name", "full", "busybox", "true"]);
      expect(r.code).toBe(125);
      // `bunbox: write: ENOSPC` named no file
      expect(r.stderr).toMatch(new RegExp(`^bunbox: \\w+ ${full}/\\S+: ENOSPC \\(no space left on device\\)\n$`));
    }
    expect(readdirSync(`${full}/run/names`)).toEqual([]);
    expect(readdirSync(`${full}/containers`)).toEqual([]);
    rmSync(`${full}/filler`);
    const r = sb.run(["--root", full, "run", "--rm", "--name", "full", "busybox", "echo", "ok"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "ok\n", ""]);
  });

  test("a reservation whose container does not exist is not a clash", () => {
    mkdirSync(`${sb.root}/run/names`, { recursive: true, mode: 0o700 });
    writeFileSync(`${sb.root}/run/names/left`, ""); // what a create killed mid-claim left
    writeFileSync(`${sb.root}/run/names/gone`, "ab".repeat(32)); // a container removed without its name
    for (const name of ["left", "gone"]) {
      const r = sb.run(["run", "--rm", "--name", name, "busybox", "echo", name]);
      expect([r.code, r.stdout, r.stderr]).toEqual([0, `${name}\n`, ""]);
    }
    // a real clash still is one
    const id = sb.run(["create", "--name", "kept", "busybox", "true"]).stdout.trim();
    const r = sb.run(["run", "--rm", "--name", "kept", "busybox", "true"]);
    expect([r.code, r.stderr]).toEqual([125, `bunbox: the container name "/kept" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.\n`]);
    expect(sb.run(["rm", "kept"]).code).toBe(0);
  });
});

describe("gc and imports killed mid-extraction", () => {
  test("the temp dir of a killed import goes; a live import's stays", async () => {
    const fifo = `${sb.root}/archive.fifo`;
    Bun.spawnSync(["mkfifo", fifo]);
    const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", BUNBOX_ROOT: sb.root };
    const importer = Bun.spawn([BIN, "import", fifo, "half"], { env, stdout: "ignore", stderr: "ignore" });
    // Part of an archive, its writer (this test) kept open: the import waits in the middle of extracting
    const part = Bun.spawnSync(["sh", "-c", `tar -cf - -C ${dirname(BIN)} bunbox | head -c 3000000`]).stdout;
    const writer = openSync(fifo, "w");
    for (let off = 0; off < part.length; ) off += writeSync(writer, part, off);
    const temps = () => (existsSync(`${sb.root}/images`) ? readdirSync(`${sb.root}/images`).filter((n) => n.startsWith("tmp-")) : []);
    for (let i = 0; i < 100 && temps().length === 0; i++) await Bun.sleep(100);
    expect(temps()).toEqual([expect.stringMatching(new RegExp(`^tmp-${importer.pid}-`))]);
    expect(sb.run(["gc"]).stdout).not.toContain("/images/tmp-"); // its owner is alive
    expect(temps()).toHaveLength(1);
    importer.kill(9);
    await importer.exited;
    const [dir] = temps();
    const gc = sb.run(["gc"]);
    expect([gc.code, gc.stdout]).toEqual([0, `removed ${sb.root}/images/${dir}\n`]);
    expect(temps()).toEqual([]);
    closeSync(writer);
  });
});

describe("a killed bunbox", () => {
  const state = (id: string) => JSON.parse(readFileSync(`${sb.root}/run/${id}/state.json`, "utf8"));
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const waitGone = async (pid: number) => { for (let i = 0; i < 100 && alive(pid); i++) await Bun.sleep(50); return !alive(pid); };

  test("an attached run --rm: its container dies with it, and the next ps finishes the removal", async () => {
    const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", BUNBOX_ROOT: sb.root };
    const p = Bun.spawn([BIN, "run", "--rm", "--name", "att", "-u", "nobody", "busybox", "sh", "-c", "echo ready; sleep 60"], { env, stdout: "pipe" });
    await p.stdout.getReader().read();
    const id = sb.run(["ps", "-q", "--no-trunc", "-f", "name=att"]).stdout.trim();
    const { pid } = state(id);
    p.kill(9);
    await p.exited;
    expect(await waitGone(pid)).toBe(true); // PR_SET_PDEATHSIG, kept across the switch to nobody
    expect(sb.run(["ps", "-a"]).stdout).not.toContain("att");
    expect(sb.leftovers().filter((l) => l.includes(id))).toEqual([]);
  });

  test("a -d container whose monitor was killed runs on, shown (unmonitored); logs says so; gc leaves it running", async () => {
    const id = sb.run(["run", "-d", "--name", "unmon", "busybox", "sh", "-c", "while :; do echo tick; sleep 1; done"]).stdout.trim();
    const { watcherPid, pid } = state(id);
    // Its first line recorded before the monitor goes
    for (let i = 0; i < 100 && !sb.run(["logs", "unmon"]).stdout.includes("tick"); i++) await Bun.sleep(50);
    process.kill(watcherPid, 9);
    expect(await waitGone(watcherPid)).toBe(true);
    expect(sb.run(["ps", "--format", "{{.Status}}", "-f", "name=unmon"]).stdout).toMatch(/^Up .* \(unmonitored\)\n$/);
    const logs = sb.run(["logs", "unmon"]);
    expect(logs.stderr).toBe("bunbox: the monitor of container unmon is gone (killed): its output since then is not recorded; it runs on ('bunbox stop unmon')\n");
    expect(logs.stdout).toStartWith("tick\n");
    expect(sb.run(["gc"]).code).toBe(0);
    expect(alive(pid)).toBe(true);
    expect(sb.run(["rm", "-f", "unmon"]).code).toBe(0);
  });
});
