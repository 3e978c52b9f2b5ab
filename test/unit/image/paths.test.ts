import { expect, test } from "bun:test";
import { normalizeName, splitParent } from "../../../src/image/paths.ts";

const where = () => "entry (offset 0)";

test("names are made relative and canonical", () => {
  const cases: [string, string][] = [
    ["a/b", "a/b"], ["/a/b", "a/b"], ["//a//b//", "a/b"], ["./a", "a"], ["a/./b/.", "a/b"],
    [".", ""], ["./", ""], ["/", ""], ["", ""], ["a/..b", "a/..b"], ["..a", "..a"], ["a..", "a.."], ["...", "..."],
  ];
  for (const [input, want] of cases) expect(normalizeName(input, where)).toBe(want);
});

test(".. components are refused wherever they are", () => {
  for (const bad of ["..", "../x", "a/../b", "a/..", "/..", "./../x"]) {
    expect(() => normalizeName(bad, where)).toThrow(`unsafe path "${bad}": ".." is not allowed (entry (offset 0))`);
  }
});

test("splitParent", () => {
  expect(splitParent("a/b/c")).toEqual(["a/b", "c"]);
  expect(splitParent("c")).toEqual(["", "c"]);
});
