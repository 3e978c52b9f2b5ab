// Byte sources for the tar reader. Files are read with plain synchronous reads in 1 MiB
// chunks: measured on Bun 1.4.5, Bun.file().stream() cost a third of an extraction's time in
// its pull machinery, while a sync read from the page cache is a memcpy.
import { closeSync, openSync, readSync } from "node:fs";

export const CHUNK = 1024 * 1024;

/** The file's bytes, one fresh buffer per chunk (consumers may hold on to chunks). */
export async function* fileChunks(path: string, chunkSize = CHUNK): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, "r");
  try {
    for (;;) {
      // allocUnsafe: no zero-fill, which showed up at 15% of an extraction profile.
      const buf = Buffer.allocUnsafe(chunkSize);
      let n = 0;
      while (n < chunkSize) {
        const r = readSync(fd, buf, n, chunkSize - n, null);
        if (r === 0) break;
        n += r;
      }
      if (n > 0) yield n === chunkSize ? buf : buf.subarray(0, n);
      if (n < chunkSize) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** In-memory bytes as a chunked stream, so they go through the same path as files. */
export async function* bytesChunks(bytes: Uint8Array, chunkSize = CHUNK): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}
