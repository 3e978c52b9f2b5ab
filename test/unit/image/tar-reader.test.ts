import { describe, expect, test } from "bun:test";
import { readTar, TarParser, type TarEntry } from "../../../src/image/tar-reader.ts";
import { ImageError } from "../../../src/image/errors.ts";
import { chunked, entry, EOF, gnuLong, pax, tar } from "../../../fixtures/tar/writer.ts";

async function all(bytes: Uint8Array, chunk = 7, opts = {}) {
  const out: { entry: TarEntry; body: string }[] = [];
  for await (const { entry, body } of readTar(chunked(bytes, chunk), opts)) {
    out.push({ entry, body: Buffer.from(body).toString("latin1") });
  }
  return out;
}

async function err(bytes: Uint8Array, opts = {}): Promise<string> {
  try {
    await all(bytes, 100, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("ustar", () => {
  test("files, dirs, links, devices with every chunk size", async () => {
    const bytes = tar(
      entry({ name: "etc/", type: "5", mode: 0o755 }),
      entry({ name: "etc/passwd", body: "root:x:0:0\n", mode: 0o4755, uid: 12, gid: 34, mtime: 1234 }),
      entry({ name: "bin/sh", type: "2", linkname: "/bin/busybox" }),
      entry({ name: "etc/pw2", type: "1", linkname: "etc/passwd" }),
      entry({ name: "dev/null", type: "3", devmajor: 1, devminor: 3, mode: 0o666 }),
      entry({ name: "dev/sda", type: "4", devmajor: 8, devminor: 0 }),
      entry({ name: "run/fifo", type: "6" }),
      entry({ name: "name", prefix: "a/very/long/prefix", body: "x".repeat(1000) }),
    );
    for (const size of [1, 7, 511, 512, 513, 100000]) {
      const got = await all(bytes, size);
      expect(got.map((g) => [g.entry.name, g.entry.type])).toEqual([
        ["etc/", "dir"], ["etc/passwd", "file"], ["bin/sh", "symlink"], ["etc/pw2", "hardlink"],
        ["dev/null", "char"], ["dev/sda", "block"], ["run/fifo", "fifo"], ["a/very/long/prefix/name", "file"],
      ]);
      const pw = got[1]!.entry;
      expect([pw.mode, pw.uid, pw.gid, pw.mtime.sec, pw.size, pw.offset]).toEqual([0o4755, 12, 34, 1234, 11, 512]);
      expect(got[1]!.body).toBe("root:x:0:0\n");
      expect(got[2]!.entry.linkname).toBe("/bin/busybox");
      expect([got[4]!.entry.devmajor, got[4]!.entry.devminor]).toEqual([1, 3]);
      expect(got[7]!.body).toBe("x".repeat(1000));
    }
  });

  test("base-256 numbers", async () => {
    const got = await all(tar(entry({ name: "big", uid: 2 ** 40, mtime: -5, base256: ["uid", "mtime"] })));
    expect(got[0]!.entry.uid).toBe(2 ** 40);
    expect(got[0]!.entry.mtime.sec).toBe(-5);
  });

  test("pre-POSIX directory: regular type with a trailing slash", async () => {
    const got = await all(tar(entry({ name: "old/", type: "0" })));
    expect(got[0]!.entry.type).toBe("dir");
  });
});

describe("pax and GNU extensions", () => {
  test("pax path, linkpath, size, ids, fractional mtime, xattrs", async () => {
    const long = "d/".repeat(200) + "file";
    const cap = new Uint8Array([1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const got = await all(tar(
      pax({ path: long, uid: "70000", gid: "80000", mtime: "1700000000.123456789", "SCHILY.xattr.user.k": "v", "SCHILY.xattr.security.capability": cap }),
      entry({ name: "short", body: "hello" }),
      pax({ linkpath: "/" + long }),
      entry({ name: "ln", type: "2" }),
      pax({ mtime: "-1.25" }),
      entry({ name: "old" }),
    ));
    const e = got[0]!.entry;
    expect([e.name, e.uid, e.gid, e.mtime.sec, e.mtime.nsec, e.offset]).toEqual([long, 70000, 80000, 1700000000, 123456789, 0]);
    expect(Buffer.from(e.xattrs.get("user.k")!).toString()).toBe("v");
    expect([...e.xattrs.get("security.capability")!]).toEqual([...cap]);
    expect(got[0]!.body).toBe("hello");
    expect(got[1]!.entry.linkname).toBe("/" + long);
    expect(got[2]!.entry.mtime).toEqual({ sec: -2, nsec: 750000000 });
  });

  test("global pax headers apply to later entries until overridden", async () => {
    const got = await all(tar(
      pax({ uid: "7", "SCHILY.xattr.user.g": "1" }, true),
      entry({ name: "a" }),
      pax({ uid: "8" }),
      entry({ name: "b" }),
    ));
    expect(got.map((g) => g.entry.uid)).toEqual([7, 8]);
    expect(got[1]!.entry.xattrs.has("user.g")).toBe(true);
  });

  test("GNU long names and long links", async () => {
    const name = "n".repeat(300);
    const link = "l".repeat(300);
    const got = await all(tar(gnuLong("L", name), gnuLong("K", link), entry({ name: "trunc", type: "2", magic: "gnu" })));
    expect(got[0]!.entry.name).toBe(name);
    expect(got[0]!.entry.linkname).toBe(link);
  });

  test("pax size overrides the header and the body follows it", async () => {
    const got = await all(tar(pax({ size: "3" }), entry({ name: "f", body: "abc", size: 0 }), entry({ name: "g", body: "z" })));
    expect(got.map((g) => g.body)).toEqual(["abc", "z"]);
  });
});

describe("refusals name the entry and offset", () => {
  test("bad header checksum", async () => {
    const msg = await err(tar(entry({ name: "ok", body: "x" }), entry({ name: "usr/bin/x", badChecksum: true })));
    expect(msg).toBe('corrupt archive: bad header checksum at entry "usr/bin/x" (offset 1024)');
  });

  test("truncated body", async () => {
    const full = tar(entry({ name: "a", body: "x".repeat(2000) }));
    const msg = await err(full.subarray(0, 1000));
    expect(msg).toBe('truncated archive: entry "a" (offset 0) ends after 488 of 2000 bytes');
  });

  test("truncated header and missing end marker", async () => {
    const one = entry({ name: "a", body: "x" });
    expect(await err(Buffer.concat([one, new Uint8Array(100)]))).toContain("truncated archive: stream ends inside");
    expect(await err(one)).toBe('truncated archive: no end-of-archive marker after entry "a" (offset 0), stream ends at offset 1024');
  });

  test("GNU sparse, both forms", async () => {
    expect(await err(tar(entry({ name: "sp", type: "S" })))).toBe('corrupt archive: GNU sparse files are not supported at entry "sp" (offset 0)');
    expect(await err(tar(pax({ "GNU.sparse.major": "1", "GNU.sparse.name": "sp2", path: "sp2" }), entry({ name: "x" }))))
      .toBe('corrupt archive: GNU sparse files are not supported at entry "sp2" (offset 0)');
  });

  test("limits: entries, header size, total size", async () => {
    const three = tar(entry({ name: "a" }), entry({ name: "b" }), entry({ name: "c" }));
    expect(await err(three, { maxEntries: 2 })).toContain('too many entries: more than 2 (at entry "c", offset 1024)');
    expect(await err(tar(pax({ path: "p".repeat(5000) }), entry({ name: "x" })), { maxHeaderSize: 4096 }))
      .toContain("archive header too large");
    expect(await err(tar(entry({ name: "big", body: "x".repeat(10000) })), { maxTotalSize: 8192 }))
      .toContain("archive too large");
  });

  test("malformed pax record and bad octal", async () => {
    const bad = entry({ name: "PaxHeader", type: "x", body: "99 path=x\n" });
    expect(await err(tar(bad, entry({ name: "x" })))).toContain("malformed pax record");
    const h = entry({ name: "oct" });
    h.set(new TextEncoder().encode("9"), 100); // mode field
    let sum = 0;
    h.fill(0x20, 148, 156);
    for (const c of h.subarray(0, 512)) sum += c;
    h.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
    expect(await err(tar(h))).toBe('corrupt archive: bad octal mode field at entry "oct" (offset 0)');
  });
});

describe("compression", () => {
  const bytes = tar(entry({ name: "f", body: "y".repeat(100000) }));
  test("gzip and zstd are detected by magic", async () => {
    for (const z of [Bun.gzipSync(bytes), Bun.zstdCompressSync(bytes)]) {
      const got = await all(z, 4096);
      expect(got[0]!.body.length).toBe(100000);
    }
  });
  test("truncated compressed streams fail", async () => {
    for (const z of [Bun.gzipSync(bytes), Bun.zstdCompressSync(bytes)]) {
      expect(await err(z.subarray(0, z.length - 8))).toMatch(/corrupt (gzip|zstd) stream|truncated/);
    }
  });
});

test("parser offsets count the whole stream", () => {
  const bytes = tar(entry({ name: "a", body: "1" }));
  const p = new TarParser({ entry() {}, data() {}, end() {} });
  p.push(bytes);
  p.push(EOF);
  p.finish();
  expect(p.offset).toBe(bytes.length + EOF.length);
  expect(p.entries).toBe(1);
});
