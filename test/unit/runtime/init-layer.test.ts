// The /etc mount points made in the upper layer before the overlay is mounted (runtime/init-layer.ts).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, symlinkSync, readdirSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEtcMountpoints, ensureInitLayer, needsEtcMountpoints } from "../../../src/runtime/init-layer.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-initlayer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NAMES = ["hosts", "hostname", "resolv.conf"];

function layers(name: string, etc: (lower: string) => void): { lower: string; upper: string } {
  const lower = join(dir, name, "lower"), upper = join(dir, name, "upper");
  mkdirSync(lower, { recursive: true });
  mkdirSync(upper, { recursive: true });
  etc(lower);
  return { lower, upper };
}

test("the missing files, empty, in an /etc with the image's mode", () => {
  const { lower, upper } = layers("plain", (l) => {
    mkdirSync(join(l, "etc"), { mode: 0o750 });
    writeFileSync(join(l, "etc", "hosts"), "127.0.0.1 x\n");
  });
  makeEtcMountpoints(lower, upper, NAMES);
  expect(readdirSync(join(upper, "etc")).sort()).toEqual(["hostname", "resolv.conf"]);
  expect(statSync(join(upper, "etc")).mode & 0o7777).toBe(0o750);
  expect(statSync(join(upper, "etc", "hostname")).size).toBe(0);
});

test("nothing when the image has them all, has no /etc, or its /etc is a symlink", () => {
  const all = layers("all", (l) => {
    mkdirSync(join(l, "etc"));
    for (const n of NAMES) writeFileSync(join(l, "etc", n), "");
  });
  const none = layers("none", () => {});
  const link = layers("link", (l) => {
    mkdirSync(join(l, "real"));
    symlinkSync("real", join(l, "etc"));
  });
  for (const { lower, upper } of [all, none, link]) {
    makeEtcMountpoints(lower, upper, NAMES);
    expect(existsSync(join(upper, "etc"))).toBe(false);
  }
});

test("a stored image's shared init layer: made once beside it, whole, with the image's /etc mode; kept as it is afterwards", () => {
  const { lower } = layers("shared", (l) => mkdirSync(join(l, "etc"), { mode: 0o751 }));
  const layer = join(dir, "shared", "init");
  expect(needsEtcMountpoints(lower, NAMES)).toBe(true);
  ensureInitLayer(layer, lower, NAMES);
  expect(readdirSync(join(layer, "etc")).sort()).toEqual(["hostname", "hosts", "resolv.conf"]);
  expect(statSync(join(layer, "etc")).mode & 0o7777).toBe(0o751);
  // No temporary directory is left beside it
  expect(readdirSync(join(dir, "shared")).sort()).toEqual(["init", "lower", "upper"]);
  // Already there: not made again (a file added to it stays)
  writeFileSync(join(layer, "etc", "marker"), "");
  ensureInitLayer(layer, lower, NAMES);
  expect(existsSync(join(layer, "etc", "marker"))).toBe(true);
});

test("an image with all the files needs no init layer", () => {
  const { lower } = layers("complete", (l) => {
    mkdirSync(join(l, "etc"));
    for (const n of NAMES) writeFileSync(join(l, "etc", n), "");
  });
  expect(needsEtcMountpoints(lower, NAMES)).toBe(false);
});
