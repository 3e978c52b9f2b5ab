// Hostile archives: nothing outside the target may change. A sentinel directory sits next to
// the target; every archive aims at it (by "..", absolute names, symlinks, hardlinks) and its
// tree hash must be the same afterwards.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extractArchive } from "../../../src/image/extract.ts";
import { bytesChunks } from "../../../src/image/source.ts";
import { removeTree } from "../../../src/sys/remove-tree.ts";
import * as fsat from "../../../src/sys/fsat.ts";
import { AT, O } from "../../../src/sys/constants.ts";
import { entry, gnuLong, pax, tar } from "../../../fixtures/tar/writer.ts";
import { treeHash } from "./tree.ts";

let work: string;
let sentinel: string;
let target: string;
let before: string;

beforeAll(() => {
  work = mkdtempSync(`${tmpdir()}/bunbox-hostile-`);
  sentinel = `${work}/sentinel`;
  mkdirSync(`${sentinel}/sub`, { recursive: true });
  writeFileSync(`${sentinel}/secret`, "do not touch\n");
  writeFileSync(`${sentinel}/sub/file`, "nor this\n");
  before = treeHash(sentinel);
});
afterAll(() => removeTree(work));

let n = 0;
beforeEach(() => {
  target = `${work}/t${n++}`;
  mkdirSync(target);
});

async function extract(bytes: Uint8Array): Promise<Error | undefined> {
  try {
    await extractArchive(bytesChunks(bytes), target);
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    expect(treeHash(sentinel)).toBe(before);
  }
}

describe("hostile names", () => {
  test("../ in a name is refused", async () => {
    const err = await extract(tar(entry({ name: "../sentinel/secret", body: "pwned" })));
    expect(err?.message).toBe('unsafe path "../sentinel/secret": ".." is not allowed (entry "../sentinel/secret" (offset 0))');
  });

  test("deeper .. that stays inside is refused too", async () => {
    const err = await extract(tar(entry({ name: "a/b/../../../sentinel/x", body: "pwned" })));
    expect(err?.message).toContain('".." is not allowed');
  });

  test("an absolute name lands inside the target", async () => {
    const err = await extract(tar(entry({ name: `${sentinel}/secret`, body: "inside" })));
    expect(err).toBeUndefined();
    expect(readFileSync(`${target}${sentinel}/secret`, "utf8")).toBe("inside");
  });

  test("a pax path and a GNU long name cannot smuggle ..", async () => {
    expect((await extract(tar(pax({ path: "../../sentinel/p" }), entry({ name: "x" }))))?.message).toContain('".."');
    expect((await extract(tar(gnuLong("L", "../" + "x".repeat(200)), entry({ name: "x", magic: "gnu" }))))?.message).toContain('".."');
  });
});

describe("symlinks cannot redirect writes", () => {
  test("absolute symlink to outside, then a write through it", async () => {
    const err = await extract(tar(
      entry({ name: "escape", type: "2", linkname: sentinel }),
      entry({ name: "escape/secret", body: "pwned" }),
      entry({ name: "escape/new", body: "pwned" }),
    ));
    // Resolved inside the root, the link points at a path that does not exist there.
    expect(err?.message).toContain("dangling symlink");
    expect(readlinkSync(`${target}/escape`)).toBe(sentinel);
  });

  test("relative ../../ symlink, then a write through it", async () => {
    const up = "../".repeat(12) + sentinel.slice(1);
    const err = await extract(tar(
      entry({ name: "up", type: "2", linkname: up }),
      entry({ name: "up/secret", body: "pwned" }),
    ));
    expect(err).toBeDefined();
  });

  test("symlink to a directory inside the root is followed inside the root", async () => {
    const err = await extract(tar(
      entry({ name: "real/", type: "5" }),
      entry({ name: "alias", type: "2", linkname: "/real" }),
      entry({ name: "alias/file", body: "via alias" }),
      entry({ name: "dotdot", type: "2", linkname: "../../../../real" }),
      entry({ name: "dotdot/file2", body: "via dotdot" }),
    ));
    expect(err).toBeUndefined();
    expect(readFileSync(`${target}/real/file`, "utf8")).toBe("via alias");
    expect(readFileSync(`${target}/real/file2`, "utf8")).toBe("via dotdot");
  });

  test("a symlink entry replacing a file is written as a link, never through", async () => {
    const err = await extract(tar(
      entry({ name: "f", body: "x" }),
      entry({ name: "f", type: "2", linkname: `${sentinel}/secret` }),
      entry({ name: "f", body: "pwned" }),
    ));
    expect(err).toBeUndefined();
    expect(lstatSync(`${target}/f`).isFile()).toBe(true);
    expect(readFileSync(`${target}/f`, "utf8")).toBe("pwned");
  });
});

describe("hardlinks stay inside", () => {
  test("hardlink with .. is refused", async () => {
    const err = await extract(tar(entry({ name: "h", type: "1", linkname: "../sentinel/secret" })));
    expect(err?.message).toContain('".." is not allowed');
  });

  test("hardlink to an absolute host path resolves inside the root", async () => {
    const err = await extract(tar(entry({ name: "h", type: "1", linkname: `${sentinel}/secret` })));
    expect(err?.message).toContain("which is not in the archive before it");
    expect(lstatSync(`${sentinel}/secret`).nlink).toBe(1);
  });

  test("hardlink through a symlinked parent pointing out", async () => {
    const err = await extract(tar(
      entry({ name: "s", type: "2", linkname: sentinel }),
      entry({ name: "h", type: "1", linkname: "s/secret" }),
    ));
    expect(err).toBeDefined();
    expect(lstatSync(`${sentinel}/secret`).nlink).toBe(1);
  });

  test("hardlink to a symlink links the symlink itself", async () => {
    const err = await extract(tar(
      entry({ name: "s", type: "2", linkname: `${sentinel}/secret` }),
      entry({ name: "h", type: "1", linkname: "s" }),
    ));
    expect(err).toBeUndefined();
    expect(lstatSync(`${target}/h`).isSymbolicLink()).toBe(true);
    expect(lstatSync(`${sentinel}/secret`).nlink).toBe(1);
  });
});

describe("replacement follows GNU tar", () => {
  test("file then dir, dir then dir, empty dir then symlink", async () => {
    const err = await extract(tar(
      entry({ name: "a", body: "file first" }),
      entry({ name: "a/", type: "5", mode: 0o750 }),
      entry({ name: "a/inner", body: "i" }),
      entry({ name: "a/", type: "5", mode: 0o700 }),
      entry({ name: "e/", type: "5" }),
      entry({ name: "e", type: "2", linkname: "a" }),
      entry({ name: "f", body: "1" }),
      entry({ name: "f", body: "2" }),
    ));
    expect(err).toBeUndefined();
    expect(lstatSync(`${target}/a`).isDirectory()).toBe(true);
    expect(lstatSync(`${target}/a`).mode & 0o7777).toBe(0o700);
    expect(readFileSync(`${target}/a/inner`, "utf8")).toBe("i");
    expect(readlinkSync(`${target}/e`)).toBe("a");
    expect(readFileSync(`${target}/f`, "utf8")).toBe("2");
  });

  test("a non-empty directory is not replaced by a file", async () => {
    const err = await extract(tar(entry({ name: "d/", type: "5" }), entry({ name: "d/x" }), entry({ name: "d", body: "f" })));
    expect(err?.message).toContain('cannot replace non-empty directory "d"');
  });
});

describe("depth", () => {
  test("a 5,000-level deep path extracts", async () => {
    const deep = Array.from({ length: 5000 }, () => "d").join("/");
    const err = await extract(tar(pax({ path: deep + "/leaf" }), entry({ name: "x", body: "deep" })));
    expect(err).toBeUndefined();
    // Walk down by relative steps: the full path is longer than PATH_MAX.
    expect(deep.length).toBeGreaterThan(4096);
    let fd = fsat.openat(AT.FDCWD, target, O.PATH | O.DIRECTORY);
    const step = Array.from({ length: 1000 }, () => "d").join("/");
    for (let i = 0; i < 5; i++) {
      const next = fsat.openat(fd, step, O.PATH | O.DIRECTORY | O.NOFOLLOW);
      fsat.close(fd);
      fd = next;
    }
    expect(readFileSync(`/proc/self/fd/${fd}/leaf`, "utf8")).toBe("deep");
    fsat.close(fd);
  });

  test("a deep path through a symlink past PATH_MAX is refused cleanly", async () => {
    const pre = Array.from({ length: 2100 }, () => "d").join("/");
    const err = await extract(tar(
      pax({ path: pre + "/ln" }), entry({ name: "x", type: "2", linkname: "/" }),
      pax({ path: pre + "/ln/y/z" }), entry({ name: "x", body: "?" }),
    ));
    expect(err?.message).toContain("refusing to follow symlink");
    expect(existsSync(`${target}/y`)).toBe(false);
  });
});
