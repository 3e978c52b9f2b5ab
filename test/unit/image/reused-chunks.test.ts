import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { decompress } from "../../../src/image/decompress.ts";
import { fileChunks } from "../../../src/image/source.ts";

// A source that refills one Buffer (whose slice() is a view, not a copy), as fileChunks(…, reuse) does, and scribbles over it as soon as
// the next chunk is asked for: a consumer that held on to a chunk would see garbage.
async function* reusing(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buf = Buffer.alloc(size);
  for (let i = 0; i < bytes.length; i += size) {
    const n = Math.min(size, bytes.length - i);
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

// Incompressible enough that the compressed stream spans many chunks
const plain = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);

describe("sources that reuse one buffer", () => {
  test("gzip and zstd: the decompressor gets copies, the output is intact", async () => {
    for (const packed of [Bun.gzipSync(plain), Bun.zstdCompressSync(plain)]) {
      const out = await collect(decompress(reusing(packed, 64 * 1024), undefined, true));
      expect(Buffer.compare(out, plain)).toBe(0);
    }
  });
  test("uncompressed chunks pass through as they are, and in order", async () => {
    const out = await collect(decompress(reusing(plain, 64 * 1024), undefined, true));
    expect(Buffer.compare(out, plain)).toBe(0);
  });
  test("a first chunk shorter than the magic is kept before the buffer is refilled", async () => {
    const packed = Bun.gzipSync(plain);
    const out = await collect(decompress(reusing(packed, 3), undefined, true));
    expect(Buffer.compare(out, plain)).toBe(0);
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
