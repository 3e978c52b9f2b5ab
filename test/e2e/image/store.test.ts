// The image store: digest of the decompressed stream, no second extraction, nothing left
// behind by a broken archive, names and references.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ImageError } from "../../../src/image/errors.ts";
import { removeTree } from "../../../src/sys/remove-tree.ts";
import { ImageStore } from "../../../src/image/store.ts";
import { entry, tar } from "../../../fixtures/tar/writer.ts";
import { buildRich, type RichArchives } from "../../../fixtures/tar/build-rich.ts";
import { describeTree } from "./tree.ts";

let work: string;
let rich: RichArchives;
let store: ImageStore;
let plainDigest: string;

beforeAll(() => {
  work = mkdtempSync(`${tmpdir()}/bunbox-store-`);
  rich = buildRich();
  store = new ImageStore(`${work}/root`);
  plainDigest = `sha256:${new Bun.CryptoHasher("sha256").update(readFileSync(rich.posix)).digest("hex")}`;
});
afterAll(() => {
  rich?.cleanup();
  if (work) removeTree(work);
});

function leftovers(): string[] {
  return readdirSync(store.dir).filter((n) => n.startsWith("tmp-"));
}

describe("import", () => {
  test("first import extracts; the key is the sha256 of the tar stream", async () => {
    const progress: { bytes: number; entries: number }[] = [];
    const r = await store.importArchive({ path: rich.posix }, { name: "rich", onProgress: (p) => progress.push(p) });
    expect(r.extracted).toBe(true);
    expect(r.digest).toBe(plainDigest);
    expect(r.names).toEqual(["rich"]);
    expect(r.rootfs).toBe(`${store.dir}/sha256/${plainDigest.slice(7)}/rootfs`);
    expect(r.entries).toBe(39);
    expect(progress.at(-1)).toEqual({ bytes: statSync(rich.posix).size, entries: 39 });
    expect(describeTree(r.rootfs).join("\n")).toContain("bin/su file 4755 0:0");
    expect(JSON.parse(readFileSync(`${store.dir}/sha256/${plainDigest.slice(7)}/meta.json`, "utf8")).digest).toBe(plainDigest);
    expect(leftovers()).toEqual([]);
  });

  test("re-importing the same file extracts nothing and does not even read it", async () => {
    let progressed = false;
    const r = await store.importArchive({ path: rich.posix }, { onProgress: () => { progressed = true; } });
    expect(r.extracted).toBe(false);
    expect(progressed).toBe(false);
    expect(r.digest).toBe(plainDigest);
  });

  test("the same tar compressed (gzip, zstd) has the same digest and is stored once", async () => {
    for (const path of [rich.gz, rich.zst]) {
      const r = await store.importArchive({ path });
      expect(r.digest).toBe(plainDigest);
      expect(r.extracted).toBe(false);
    }
    expect(store.listImages().map((i) => i.digest)).toEqual([plainDigest]);
    expect(leftovers()).toEqual([]);
  });

  test("bytes sources: hashed, and a second import extracts nothing", async () => {
    const bytes = tar(entry({ name: "hello", body: "world" }));
    const a = await store.importArchive({ bytes }, { name: "hello:1" });
    expect(a.extracted).toBe(true);
    const b = await store.importArchive({ bytes });
    expect(b.extracted).toBe(false);
    expect(b.digest).toBe(a.digest);
    expect(readFileSync(`${a.rootfs}/hello`, "utf8")).toBe("world");
  });
});

describe("broken archives leave nothing", () => {
  test("truncated archive: error names the entry, no image, no temp dir", async () => {
    const full = readFileSync(rich.posix);
    const cut = `${work}/cut.tar`;
    writeFileSync(cut, full.subarray(0, 20000));
    const before = store.listImages().length;
    let err: unknown;
    try {
      await store.importArchive({ path: cut }, { name: "cut" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toMatch(/^truncated archive: .*entry ".+" \(offset \d+\)/);
    expect(store.listImages().length).toBe(before);
    expect(leftovers()).toEqual([]);
    expect(() => store.resolveImage("cut")).toThrow("No such image: cut");
  });

  test("truncated gzip stream", async () => {
    const gz = readFileSync(rich.gz);
    let err: unknown;
    try {
      await store.importArchive({ bytes: gz.subarray(0, gz.length - 40) });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toMatch(/corrupt gzip stream|truncated archive/);
    expect(leftovers()).toEqual([]);
  });

  test("corrupt checksum: the error names the entry and its offset", async () => {
    const bytes = tar(entry({ name: "ok", body: "fine" }), entry({ name: "usr/bin/x", body: "x", badChecksum: true }));
    let err: unknown;
    try {
      await store.importArchive({ bytes });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('corrupt archive: bad header checksum at entry "usr/bin/x" (offset 1024)');
    expect(leftovers()).toEqual([]);
  });

  test("a temp dir left by a killed import is cleaned by the next import", async () => {
    const stale = `${store.dir}/tmp-999999999-dead`;
    require("node:fs").mkdirSync(`${stale}/rootfs/x`, { recursive: true });
    await store.importArchive({ bytes: tar(entry({ name: "again" })) });
    expect(existsSync(stale)).toBe(false);
  });
});

describe("references", () => {
  test("resolve by name, full digest, bare hex and unique prefix", () => {
    for (const ref of ["rich", plainDigest, plainDigest.slice(7), plainDigest.slice(0, 19), plainDigest.slice(7, 12)]) {
      expect(store.resolveImage(ref).digest).toBe(plainDigest);
    }
    expect(() => store.resolveImage("nope")).toThrow("No such image: nope");
  });

  test("an ambiguous prefix is refused", () => {
    const { mkdirSync } = require("node:fs");
    const fake = ["abcd".repeat(16), "abce".repeat(16)];
    for (const h of fake) {
      mkdirSync(`${store.dir}/sha256/${h}/rootfs`, { recursive: true });
      writeFileSync(`${store.dir}/sha256/${h}/meta.json`, JSON.stringify({ digest: `sha256:${h}`, created: "2020-01-01T00:00:00.000Z", size: 0, entries: 0 }));
    }
    expect(() => store.resolveImage("abc")).toThrow('image reference "abc" is ambiguous: 2 images match');
    expect(store.resolveImage("sha256:abcd").digest).toBe(`sha256:${fake[0]}`);
    for (const h of fake) removeTree(`${store.dir}/sha256/${h}`);
  });

  test("a name moves to the newest import", async () => {
    const r = await store.importArchive({ bytes: tar(entry({ name: "v2" })) }, { name: "rich" });
    expect(store.resolveImage("rich").digest).toBe(r.digest);
    expect(store.resolveImage(plainDigest).names).toEqual([]);
    await store.importArchive({ path: rich.posix }, { name: "rich" });
  });

  test("remove by name keeps the image while another name points at it", async () => {
    await store.importArchive({ path: rich.posix }, { name: "alias" });
    const a = store.removeImage("alias");
    expect(a).toEqual({ digest: plainDigest, untagged: ["alias"], deleted: false });
    const b = store.removeImage("rich");
    expect(b.deleted).toBe(true);
    expect(existsSync(`${store.dir}/sha256/${plainDigest.slice(7)}`)).toBe(false);
    expect(() => store.removeImage("rich")).toThrow("No such image: rich");
    expect(leftovers()).toEqual([]);
    // The identity cache forgot it too: importing again extracts again.
    expect((await store.importArchive({ path: rich.posix })).extracted).toBe(true);
  });

  test("remove by digest drops every name", async () => {
    const r = await store.importArchive({ bytes: tar(entry({ name: "z" })) }, { name: "z1" });
    await store.importArchive({ bytes: tar(entry({ name: "z" })) }, { name: "z2" });
    const out = store.removeImage(r.digest);
    expect(out.untagged.sort()).toEqual(["z1", "z2"]);
    expect(out.deleted).toBe(true);
    expect(() => store.resolveImage("z1")).toThrow("No such image");
  });

  test("an invalid name is refused before any work", async () => {
    await expect(store.importArchive({ bytes: tar() }, { name: "bad name" })).rejects.toThrow('invalid image name "bad name"');
  });
});
