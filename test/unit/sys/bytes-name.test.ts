import { describe, expect, test } from "bun:test";
import { decodeName, encodeName } from "../../../src/sys/bytes-name.ts";

const b = (...x: number[]) => new Uint8Array(x);

describe("names are bytes: decodeName/encodeName keep every byte", () => {
  test("UTF-8 names are plain strings, astral characters included", () => {
    for (const s of ["etc/passwd", "ünïcødé", "日本", "😀 \u{10080} \u{1F030}"]) {
      expect(decodeName(Buffer.from(s))).toBe(s);
      expect(encodeName(s)).toEqual(Buffer.from(s));
    }
  });

  test("bytes that are not UTF-8 stay apart (a\\xffb, a\\xfeb) and come back as they were", () => {
    const a = decodeName(b(0x61, 0xff, 0x62)), c = decodeName(b(0x61, 0xfe, 0x62));
    expect(a).not.toBe(c);
    expect([...encodeName(a)]).toEqual([0x61, 0xff, 0x62]);
    expect([...encodeName(c)]).toEqual([0x61, 0xfe, 0x62]);
  });

  test("overlongs, encoded surrogates, truncated sequences and stray continuation bytes are bytes", () => {
    for (const bad of [b(0xc0, 0xaf), b(0xed, 0xa0, 0x80), b(0xe2, 0x82), b(0x80, 0x41), b(0xf4, 0x90, 0x80, 0x80), b(0x63, 0x61, 0x66, 0xe9)]) {
      const s = decodeName(bad);
      expect(s.includes("\ufffd")).toBe(false);
      expect([...encodeName(s)]).toEqual([...bad]);
    }
  });

  test("every 1-3 byte sequence round-trips, and distinct bytes give distinct strings", () => {
    const seen = new Map<string, string>();
    const rnd = (n: number) => Math.floor(Math.random() * n);
    for (let i = 0; i < 20000; i++) {
      const bytes = Uint8Array.from({ length: 1 + rnd(4) }, () => (rnd(2) ? 0x80 + rnd(0x80) : rnd(0x100)));
      const s = decodeName(bytes);
      expect([...encodeName(s)]).toEqual([...bytes]);
      const key = Buffer.from(bytes).toString("hex");
      if (seen.has(s)) expect(seen.get(s)).toBe(key);
      seen.set(s, key);
    }
  });
});
