// Issue 14, item 11, seen from a container: an image tarball whose names are not UTF-8 (a
// latin-1 byte, a newline, an escape code) runs with those names intact, byte for byte; and the
// overlayfs xattrs an archive carries never reach the store, which is the container's lower layer.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox } from "../harness.ts";
import { entry, pax } from "../../../fixtures/tar/writer.ts";
import { lgetxattrs } from "../../../src/sys/fsat.ts";

const IMAGE_TAR = `${import.meta.dir}/../../../dist/busybox.tar.zst`;
const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-names-`);
afterAll(() => {
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const enc = new TextEncoder();
const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...enc.encode(p)] : p)));

/** The busybox tarball with `extra` entries after it (its end-of-archive blocks removed). */
function busyboxPlus(name: string, ...extra: Uint8Array[]): string {
  let tar = Bun.zstdDecompressSync(readFileSync(IMAGE_TAR));
  let end = tar.length;
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  tar = tar.subarray(0, end);
  const file = `${work}/${name}.tar`;
  writeFileSync(file, Buffer.concat([tar, ...extra, new Uint8Array(1024)]));
  return file;
}

describe("names are bytes, end to end", () => {
  test("a latin-1 byte, a newline and an escape code: imported and seen by the container as they were", () => {
    const img = busyboxPlus("names",
      entry({ name: "names/", type: "5", mode: 0o755 }),
      pax({ path: bytes("names/caf", [0xe9]) }), entry({ name: "names/x1", body: "latin-1\n" }),
      pax({ path: bytes("names/new\nline") }), entry({ name: "names/x2", body: "newline\n" }),
      pax({ path: bytes("names/\x1b]0;pwned\x07") }), entry({ name: "names/x3", body: "escape\n" }),
      pax({ path: bytes("names/link-", [0xff]), linkpath: bytes("caf", [0xe9]) }), entry({ name: "names/x4", type: "2", linkname: "x" }),
    );
    // Each name's bytes in hex, and what it holds (the link is followed)
    const r = sb.box([img, "sh", "-c", "for f in /names/*; do printf %s \"$f\" | od -An -tx1 | tr -d ' \\n'; echo \" $(cat \"$f\")\"; done"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([
      `${Buffer.from("/names/\x1b]0;pwned\x07").toString("hex")} escape`,
      `${Buffer.from(bytes("/names/caf", [0xe9])).toString("hex")} latin-1`,
      `${Buffer.from(bytes("/names/link-", [0xff])).toString("hex")} latin-1`,
      `${Buffer.from("/names/new\nline").toString("hex")} newline`,
    ].sort());
  });

  test("an error naming such an entry shows its bytes escaped, on one line", () => {
    const img = busyboxPlus("bad-name", pax({ path: bytes("a/../\x1b]0;pwned\x07", [0xe9]) }), entry({ name: "x", body: "x" }));
    const r = sb.box([img, "true"]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain("a/../\\x1b]0;pwned\\x07\\xe9");
    expect(r.stderr.split("\n")).toHaveLength(2);
  });
});

describe("overlayfs xattrs from an archive never reach the store (the container's lower layer)", () => {
  test("trusted.overlay.redirect=/../../../../etc and opaque=y on a directory: dropped; other xattrs kept", () => {
    const img = busyboxPlus("xattrs",
      pax({
        "SCHILY.xattr.trusted.overlay.redirect": "/../../../../etc", "SCHILY.xattr.trusted.overlay.opaque": "y",
        "SCHILY.xattr.user.overlay.opaque": "y", "SCHILY.xattr.trusted.kept": "1",
      }),
      entry({ name: "steer/", type: "5", mode: 0o755 }),
      entry({ name: "steer/inside", body: "inside\n" }),
    );
    const r = sb.box([img, "cat", "/steer/inside"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "inside\n", ""]);
    const images = `${sb.root}/images/sha256`;
    const stored = readdirSync(images).map((h) => `${images}/${h}/rootfs/steer`).filter((p) => { try { return readdirSync(p).length > 0; } catch { return false; } });
    expect(stored).toHaveLength(1);
    expect(Object.keys(lgetxattrs(stored[0]!)).sort()).toEqual(["trusted.kept"]);
  });
});
