// The copy with mapped ids that stands in for an idmapped layer (shifted-copy.ts). chown needs
// root: skipped without it (the bare VM's e2e run, on 6.1's tmpfs, uses it for real).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, chownSync, symlinkSync, lstatSync, readlinkSync, readFileSync, rmSync, existsSync, utimesSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { shiftedCopy } from "../../../src/runtime/shifted-copy.ts";

const root = process.getuid?.() === 0;
const dir = mkdtempSync("/tmp/bunbox-shifted-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(!root)("owners mapped, setuid kept, symlinks, fifos, mtimes; made once, under a temporary name", () => {
  const from = `${dir}/layer`;
  mkdirSync(`${from}/bin`, { recursive: true });
  writeFileSync(`${from}/bin/su`, "x");
  chmodSync(`${from}/bin/su`, 0o4755);
  writeFileSync(`${from}/home`, "y");
  chownSync(`${from}/home`, 1000, 50);
  utimesSync(`${from}/home`, 1_000_000, 1_000_000);
  symlinkSync("/bin/su", `${from}/link`);
  execFileSync("mkfifo", [`${from}/pipe`]);
  const owner = (uid: number, gid: number) => ({ uid: uid + 100000, gid: gid + 200000 });
  const to = shiftedCopy(from, `${dir}/copies/0`, owner);
  const ids = (p: string) => { const s = lstatSync(`${to}/${p}`); return `${s.uid}:${s.gid}`; };
  expect([ids("."), ids("bin"), ids("bin/su"), ids("home"), ids("link"), ids("pipe")]).toEqual(["100000:200000", "100000:200000", "100000:200000", "101000:200050", "100000:200000", "100000:200000"]);
  expect((lstatSync(`${to}/bin/su`).mode & 0o7777).toString(8)).toBe("4755");
  expect(readFileSync(`${to}/bin/su`, "utf8")).toBe("x");
  expect(readlinkSync(`${to}/link`)).toBe("/bin/su");
  expect(lstatSync(`${to}/pipe`).isFIFO()).toBe(true);
  expect(lstatSync(`${to}/home`).mtimeMs).toBe(1_000_000_000);
  expect(existsSync(`${to}.partial`)).toBe(false);
  // a finished copy is reused as it is
  writeFileSync(`${from}/later`, "z");
  expect(shiftedCopy(from, `${dir}/copies/0`, owner)).toBe(to);
  expect(existsSync(`${to}/later`)).toBe(false);
});
