// The state root as an attacker on the host sees it (issue: security round two, item 2): a --root
// another user owns or may write, files planted in it, a record naming a directory to remove,
// and what a host user can reach of a container's files.
import { afterAll, describe, expect, test } from "bun:test";
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox, BIN } from "./harness.ts";

const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-state-root-`);
afterAll(() => {
  sb.run(["rm", "-f", "keeper"]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);

describe("an untrusted --root is refused before anything is read or made", () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ["owned by another user", (d) => chownSync(d, 1000, 1000), /is owned by uid 1000, not root/],
    ["writable by every user", (d) => chmodSync(d, 0o777), /is writable by every user \(mode 0777\)/],
    ["writable by its group", (d) => chmodSync(d, 0o770), /is writable by its group \(mode 0770\)/],
  ];
  for (const [what, make, message] of cases) {
    test(what, () => {
      const dir = mkdtempSync(`${work}/root-`);
      make(dir);
      for (const args of [["ps"], ["run", "--rm", "busybox", "true"], ["images"]]) {
        const r = sb.run(["--root", dir, ...args]);
        expect(r.code).toBe(125);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
      }
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  test("a parent another user may write (not sticky) taints the root below it", () => {
    const parent = mkdtempSync(`${work}/parent-`);
    chmodSync(parent, 0o757);
    const r = sb.run(["--root", `${parent}/state`, "ps"]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`${parent} is writable by every user`);
    expect(existsSync(`${parent}/state`)).toBe(false);
  });

  test("a file given as --root: permission denied, exit 1, as for another user", () => {
    writeFileSync(`${work}/a-file`, "");
    const r = sb.run(["--root", `${work}/a-file`, "ps"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bunbox: permission denied: .*a-file is not a directory/);
  });

  test("another user than root: permission denied, exit 1, as Docker's CLI without the daemon's socket", () => {
    const r = Bun.spawnSync(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", BIN, "--root", sb.root, "ps"], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toMatch(/^bunbox: permission denied: .*run it as root/);
    expect(r.stdout.toString()).toBe("");
  });
});

describe("what bunbox writes is root's alone", () => {
  test("containers/, the bundle, config.json and state are 0700/0600; the container's / keeps the image root's mode", () => {
    const id = sb.run(["run", "-d", "--name", "keeper", "-e", "SECRET=hunter2", "busybox", "sleep", "60"]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(`${sb.root}/containers`)).toBe("700");
    expect(mode(`${sb.root}/containers/${id}`)).toBe("700");
    expect(mode(`${sb.root}/containers/${id}/config.json`)).toBe("600");
    expect(mode(`${sb.root}/run/${id}/state.json`)).toBe("600");
    expect(mode(`${sb.root}/run`)).toBe("700");
    // Docker lists / for any user; a 0700 or 0711 overlay root would not let nobody read it
    const ls = sb.box(["-u", "nobody", "busybox", "ls", "/"]);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split("\n")).toContain("etc");
    expect(sb.box(["busybox", "stat", "-c", "%a %u:%g", "/"]).stdout).toBe("755 0:0\n");
  });
});

describe("files planted in a root-owned state root", () => {
  test("a seccomp cache entry that root did not write (owner 1000, an allow-all filter) is not used", () => {
    expect(sb.box(["busybox", "true"]).code).toBe(0); // the cache is filled
    const dir = `${sb.root}/run/seccomp`;
    const allowAll = { program: Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]).toString("base64"), syscalls: 1, flags: 0 };
    for (const f of readdirSync(dir)) {
      writeFileSync(`${dir}/${f}`, JSON.stringify(allowAll));
      chownSync(`${dir}/${f}`, 1000, 1000);
    }
    // a user namespace needs no capability: only the filter refuses it
    const r = sb.box(["busybox", "unshare", "-U", "id"]);
    expect(r.stderr).toContain("Operation not permitted");
    expect(r.code).toBe(1);
  });

  test("a record's bundle path is never what rm removes: it comes from the id", () => {
    const victim = mkdtempSync(`${work}/victim-`);
    writeFileSync(`${victim}/precious`, "keep me");
    const id = sb.run(["create", "--name", "planted", "busybox", "true"]).stdout.trim();
    const state = `${sb.root}/run/${id}/state.json`;
    writeFileSync(state, JSON.stringify({ ...JSON.parse(readFileSync(state, "utf8")), bundle: victim, logPath: `${victim}/precious` }));
    const r = sb.run(["rm", "planted"]);
    expect(r.code).toBe(0);
    expect(readFileSync(`${victim}/precious`, "utf8")).toBe("keep me");
    expect(existsSync(`${sb.root}/containers/${id}`)).toBe(false);
  });
});
