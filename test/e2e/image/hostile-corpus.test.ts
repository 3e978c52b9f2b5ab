// The hostile-archive corpus (fixtures/tar/hostile.ts) through the image store, and a handful
// through the real CLI. For every case: nothing outside the store changes (a sentinel tree next
// to the store is hashed before and after, and host files the archives name keep their inode);
// refused archives leave no image and no temp dir and the error names the entry; kept ones match
// an explicit tree and/or GNU tar's extraction of the same bytes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ImageError } from "../../../src/image/errors.ts";
import { removeTree } from "../../../src/sys/remove-tree.ts";
import { ImageStore } from "../../../src/image/store.ts";
import { hostileCases, type HostileCase } from "../../../fixtures/tar/hostile.ts";
import { describeTree, shortTree, treeHash } from "./tree.ts";

const BIN = `${import.meta.dir}/../../../dist/bunbox`;

// A store root at <work>/<x> puts rootfs at <work>/<x>/images/tmp-*/rootfs: four ".." reach <work>.
const work = mkdtempSync(`${tmpdir()}/bunbox-corpus-`);
const sentinel = `${work}/sentinel`;
const cases = hostileCases({ sentinel, up: "../../../../sentinel" });
let before: string;
const hostFiles = ["/etc/passwd", "/etc/shadow", "/bin/sh"];
const hostStat = () => hostFiles.map((f) => { const s = statSync(f, { bigint: true }); return `${f} ${s.ino} ${s.nlink} ${s.mtimeNs} ${s.size}`; });
let hostBefore: string[];

beforeAll(() => {
  mkdirSync(`${sentinel}/sub`, { recursive: true });
  writeFileSync(`${sentinel}/secret`, "do not touch\n");
  writeFileSync(`${sentinel}/sub/file`, "nor this\n");
  symlinkSync("secret", `${sentinel}/link`);
  mkdirSync(`${work}/archives`);
  before = treeHash(sentinel);
  hostBefore = hostStat();
});
afterAll(() => removeTree(work));

function assertUntouched(): void {
  expect(treeHash(sentinel)).toBe(before);
  expect(hostStat()).toEqual(hostBefore);
  const top = readdirSync(work).filter((n) => !/^(store|cli|gnu)-/.test(n)).sort();
  expect(top).toEqual(["archives", "sentinel"]);
}

function tempDirs(store: ImageStore): string[] {
  return existsSync(store.dir) ? readdirSync(store.dir).filter((n) => n.startsWith("tmp-")) : [];
}

function gnuTree(c: HostileCase): string[] {
  const file = `${work}/archives/${c.name}.tar`;
  writeFileSync(file, c.archive);
  const dir = `${work}/gnu-${c.name}`;
  mkdirSync(dir);
  try {
    const p = Bun.spawnSync(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", file, "-C", dir], { stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`GNU tar failed on ${c.name}: ${p.stderr.toString()}`);
    return rootWithoutMtime(describeTree(dir));
  } finally {
    removeTree(dir);
  }
}

/**
 * Directories the archive does not describe (the root without a "." entry, missing parents) get
 * the extraction time from either extractor: drop mtimes later than the start of this file.
 */
const started = BigInt(Date.now() - 60_000) * 1_000_000n;
function rootWithoutMtime(lines: string[]): string[] {
  return lines.map((l) => {
    const m = / mtime=(\d+)$/.exec(l);
    return m && BigInt(m[1]!) > started ? l.slice(0, m.index) : l;
  });
}

describe("hostile corpus through ImageStore", () => {
  test("the corpus has at least 25 cases with unique names", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  cases.forEach((c, i) => {
    test(`${c.name}: ${c.expect.outcome}`, async () => {
      const store = new ImageStore(`${work}/store-${i}`);
      let err: unknown;
      let rootfs: string | undefined;
      try {
        rootfs = (await store.importArchive({ bytes: c.archive }, { name: `case-${i}`, limits: c.limits })).rootfs;
      } catch (e) {
        err = e;
      }
      try {
        assertUntouched();
        if (c.expect.outcome === "refused") {
          if (!err) throw new Error(`${c.name}: expected a refusal, the archive was imported`);
          expect((err as Error).name).toBe("ImageError");
          expect(err).toBeInstanceOf(ImageError);
          const msg = (err as Error).message;
          expect(msg).toContain(`"${c.expect.entry}"`);
          expect(msg).toMatch(/offset \d+/);
          expect(msg).not.toContain("\n");
          if (c.expect.message) expect(msg).toMatch(c.expect.message);
          expect(store.listImages()).toEqual([]);
          expect(tempDirs(store)).toEqual([]);
          expect(() => store.resolveImage(`case-${i}`)).toThrow("No such image");
          return;
        }
        if (err) throw err;
        expect(tempDirs(store)).toEqual([]);
        if (c.expect.tree) expect(shortTree(rootfs!)).toEqual(c.expect.tree);
        if (c.expect.gnu) expect(rootWithoutMtime(describeTree(rootfs!))).toEqual(gnuTree(c));
        c.expect.check?.(rootfs!);
      } finally {
        removeTree(`${work}/store-${i}`);
      }
    }, 60_000);
  });
});

describe("hostile corpus through the CLI", () => {
  const viaCli = [
    "dotdot-name", "symlink-abs-out-write", "symlink-chain-out", "hardlink-through-symlink", "truncated", "bad-checksum",
    "control-char-refused", "invalid-utf8", "bytes-names", "overlay-xattrs", "absolute-symlinks-legit",
  ];

  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run 'bun run build' first`);
  });

  for (const name of viaCli) {
    test(`bunbox import ${name}`, () => {
      const c = cases.find((x) => x.name === name)!;
      const file = `${work}/archives/${name}.tar`;
      writeFileSync(file, c.archive);
      const root = `${work}/cli-${name}`;
      try {
        const r = Bun.spawnSync([BIN, "import", "--root", root, file, `cli-${name}`], {
          env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1" },
          stdin: "ignore",
          timeout: 30_000,
        });
        const stderr = r.stderr.toString();
        assertUntouched();
        const store = new ImageStore(root);
        if (c.expect.outcome === "refused") {
          expect(r.exitCode).toBe(125);
          expect(r.stdout.toString()).toBe("");
          expect(stderr).toStartWith("bunbox: ");
          expect(stderr.split("\n")).toHaveLength(2); // one line and its newline
          expect(stderr).toContain(`"${c.expect.entry}"`);
          if (c.expect.message) expect(stderr).toMatch(c.expect.message);
          expect(store.listImages()).toEqual([]);
          expect(tempDirs(store)).toEqual([]);
        } else {
          expect([r.exitCode, stderr]).toEqual([0, ""]);
          expect(r.stdout.toString()).toMatch(/^sha256:[0-9a-f]{64}\n$/);
          const [img] = store.listImages();
          if (c.expect.tree) expect(shortTree(img!.rootfs)).toEqual(c.expect.tree);
          if (c.expect.gnu) expect(rootWithoutMtime(describeTree(img!.rootfs))).toEqual(gnuTree(c));
          c.expect.check?.(img!.rootfs);
        }
      } finally {
        removeTree(root);
      }
    }, 30_000);
  }
});
