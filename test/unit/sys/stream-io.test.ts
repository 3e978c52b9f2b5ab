// Reads with a deadline and whole writes on a real socketpair: a silent peer is a null after
// the timeout (not a hang), a closed one is 0, and writing to a closed one is EPIPE, not SIGPIPE.
import { describe, expect, test } from "bun:test";
import { sys } from "../../../src/sys/kernel.ts";
import { readWithin, sendAll, closeFd } from "../../../src/sys/stream-io.ts";
import { SysError } from "../../../src/sys/errno.ts";

describe("stream-io", () => {
  test("a silent peer: null once the time is up", () => {
    const [a, b] = sys.socketpair();
    try {
      const t0 = performance.now();
      expect(readWithin(a, new Uint8Array(16), 60)).toBeNull();
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(55);
      expect(took).toBeLessThan(1000);
    } finally {
      closeFd(a);
      closeFd(b);
    }
  });

  test("bytes sent arrive whole; a closed peer reads 0", () => {
    const [a, b] = sys.socketpair();
    const data = new Uint8Array(100_000).map((_, i) => i & 0xff);
    sendAll(a, data);
    closeFd(a);
    const got: number[] = [];
    const buf = new Uint8Array(8192);
    for (;;) {
      const n = readWithin(b, buf, 1000);
      expect(n).not.toBeNull();
      if (n === 0) break;
      got.push(...buf.subarray(0, n!));
    }
    closeFd(b);
    expect(got.length).toBe(data.length);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
  });

  test("writing to a closed peer is EPIPE", () => {
    const [a, b] = sys.socketpair();
    closeFd(b);
    let err: unknown;
    try {
      sendAll(a, new Uint8Array(10));
    } catch (e) {
      err = e;
    }
    closeFd(a);
    expect(err).toBeInstanceOf(SysError);
    expect((err as SysError).code).toBe("EPIPE");
  });
});
