import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { indexProblem } from "../../../src/image/store-index.ts";
import { ImageStore } from "../../../src/image/store.ts";

const D = `sha256:${"a".repeat(64)}`;

describe("image index validation", () => {
  test("a well-formed index passes", () => {
    expect(indexProblem({ version: 1, names: { busybox: D }, sources: { "bytes:x": D } })).toBeUndefined();
    expect(indexProblem({ version: 1, names: {}, sources: {} })).toBeUndefined();
  });
  test("each kind of damage is named by where it is", () => {
    expect([
      indexProblem([]),
      indexProblem({ version: 2, names: {}, sources: {} }),
      indexProblem({ version: 1, names: [], sources: {} }),
      indexProblem({ version: 1, names: { busybox: "sha256:zz" }, sources: {} }),
      indexProblem({ version: 1, names: {}, sources: { "file:1": 7 } }),
      indexProblem({ version: 1, names: {} }),
    ]).toEqual([
      "(root): expected an object",
      "version: expected 1, got 2",
      "names: expected an object",
      'names.busybox: expected a sha256:<64 hex> digest, got "sha256:zz"',
      "sources.file:1: expected a sha256:<64 hex> digest, got 7",
      "sources: expected an object",
    ]);
  });
});

describe("image names that are Object.prototype's own", () => {
  test("constructor, toString and __proto__ are names like any other, not inherited values", () => {
    const dir = mkdtempSync(`${tmpdir()}/bunbox-index-`);
    try {
      const store = new ImageStore(dir);
      for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
        expect(() => store.resolveImage(name)).toThrow(`No such image: ${name}`);
      }
      mkdirSync(`${dir}/images`, { recursive: true });
      writeFileSync(`${dir}/images/index.json`, JSON.stringify({ version: 1, names: { busybox: D }, sources: {} }));
      expect(() => store.resolveImage("constructor")).toThrow("No such image: constructor");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
