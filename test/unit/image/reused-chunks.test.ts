import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { decompress } from "../../../src/image/decompress.ts";
import { fileChunks } from "../../../src/image/source.ts";

// A source that refills one Buffer (whose slice() is a view, not a copy), as fileChunks(…, reuse) does, and scribbles over it as soon as
// the next chunk is asked for: a consumer that held on to a chunk would see garbage.
async function* reusing(bytes: Uint8Array, size: number, seen?: { buffer?: ArrayBufferLike }, first = size): AsyncGenerator<Uint8Array> {
  const buf = Buffer.alloc(size);
  if (seen) seen.buffer = buf.buffer;
  for (let i = 0; i < bytes.length; i += i === 0 ? first : size) {
    const n = Math.min(i === 0 ? first : size, bytes.length - i);
    buf.set(bytes.subarray(i, i + n));
    yield buf.subarray(0, n);
    buf.fill(0xee);
  }
}

async function collect(src: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(new Uint8Array(c));
  return Buffer.concat(parts);
}

// Incompressible (xorshift), so the compressed stream spans many chunks
const plain = new Uint8Array(1024 * 1024);
for (let i = 0, x = 0x9e3779b9; i < plain.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; plain[i] = x & 0xff; }

describe("sources that reuse one buffer", () => {
  test("gzip and zstd: the decompressor gets copies, the output is intact", async () => {
    for (const packed of [Bun.gzipSync(plain), Bun.zstdCompressSync(plain)]) {
      const out = await collect(decompress(reusing(packed, 64 * 1024), undefined, true));
      expect(Buffer.compare(out, plain)).toBe(0);
    }
  });
  test("what the decompressor is given is a copy, never the source's buffer", async () => {
    // Bun's DecompressionStream happens to consume each chunk before the next is read, so the output
    // alone would not show a missing copy: watch what goes in.
    const Real = globalThis.DecompressionStream;
    const given: ArrayBufferLike[] = [];
    class Watched {
      readable: ReadableStream<Uint8Array>;
      writable: WritableStream<Uint8Array>;
      constructor(kind: CompressionFormat) {
        const inner = new Real(kind);
        const tap = new TransformStream<Uint8Array, Uint8Array>({ transform(chunk, c) { given.push(chunk.buffer); c.enqueue(chunk); } });
        void tap.readable.pipeTo(inner.writable);
        this.writable = tap.writable;
        this.readable = inner.readable;
      }
    }
    globalThis.DecompressionStream = Watched as unknown as typeof DecompressionStream;
    try {
      const source: { buffer?: ArrayBufferLike } = {};
      const out = await collect(decompress(reusing(Bun.gzipSync(plain), 32 * 1024, source), undefined, true));
      expect(Buffer.compare(out, plain)).toBe(0);
      expect(given.length).toBeGreaterThan(10);
      expect(given.filter((b) => b === source.buffer)).toEqual([]);
    } finally {
      globalThis.DecompressionStream = Real;
    }
  });
  test("uncompressed chunks pass through as they are, and in order", async () => {
    const out = await collect(decompress(reusing(plain, 64 * 1024), undefined, true));
    expect(Buffer.compare(out, plain)).toBe(0);
  });
  test("a first chunk shorter than the magic is kept before the buffer is refilled", async () => {
    const packed = Bun.gzipSync(plain);
    const out = await collect(decompress(reusing(packed, 32 * 1024, undefined, 3), undefined, true));
    expect(Buffer.compare(out, plain)).toBe(0);
  });
  test("a consumer that stops early ends the source too (a file source closes its fd)", async () => {
    for (const packed of [plain, Bun.gzipSync(plain)]) {
      let ended = false;
      async function* source() {
        try { yield* reusing(packed, 32 * 1024); } finally { ended = true; }
      }
      for await (const _ of decompress(source(), undefined, true)) break;
      expect(ended).toBe(true);
    }
  });
  test("fileChunks with reuse reads every chunk into one buffer", async () => {
    const dir = mkdtempSync(`${tmpdir()}/bunbox-chunks-`);
    try {
      writeFileSync(`${dir}/f`, plain);
      const seen = new Set<ArrayBufferLike>();
      const parts: Uint8Array[] = [];
      for await (const c of fileChunks(`${dir}/f`, 1024 * 1024, true)) {
        seen.add(c.buffer);
        parts.push(new Uint8Array(c));
      }
      expect([seen.size, Buffer.compare(Buffer.concat(parts), plain)]).toEqual([1, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
