// Streaming decompression chosen by magic bytes, so callers hand over any .tar, .tar.gz or
// .tar.zst without naming the format. Measured on Bun 1.4.5: DecompressionStream is about twice
// as fast as node:zlib for both formats, and unlike node:zlib's zstd it reports a truncated
// zstd frame ("unexpected end of file") instead of ending quietly.
import { ImageError } from "./errors.ts";

export type Compression = "gzip" | "zstd" | "none";

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

/** A copy: Buffer's slice() is a view, so it cannot be trusted to copy what may be a Buffer. */
function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Yields the decompressed bytes of src; reports the detected format through onFormat.
 * `srcReusesChunks`: src refills one buffer (source.ts), so a chunk must be used before the next
 * is asked for; uncompressed chunks are passed on as they are (the caller uses them that way),
 * chunks for a decompressor, which may hold on to them, are copied first.
 */
export async function* decompress(
  src: AsyncIterable<Uint8Array>,
  onFormat?: (c: Compression) => void,
  srcReusesChunks = false,
): AsyncGenerator<Uint8Array> {
  const it = src[Symbol.asyncIterator]();
  try {
    yield* decompressFrom(it, onFormat, srcReusesChunks);
  } finally {
    // A consumer that stops early (a bad entry) ends the source too: a file source closes its fd
    await it.return?.();
  }
}

async function* decompressFrom(
  it: AsyncIterator<Uint8Array>,
  onFormat: ((c: Compression) => void) | undefined,
  srcReusesChunks: boolean,
): AsyncGenerator<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  let exhausted = false;
  while (head.length < 4) {
    const r = await it.next();
    if (r.done) { exhausted = true; break; }
    // A short first chunk waits for the next one, which would overwrite a reused buffer
    head = concat(head, srcReusesChunks && r.value.length < 4 ? copy(r.value) : r.value);
  }
  const kind = detectCompression(head);
  onFormat?.(kind);
  // A decompressor may hold on to what it is given: its own copy when src reuses its buffer
  const give = kind !== "none" && srcReusesChunks ? copy : (c: Uint8Array) => c;
  // An error from the source itself (a read error) must surface as itself, not as corruption.
  let sourceError: unknown;
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length) yield give(head);
    if (exhausted) return;
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        sourceError = e;
        throw e;
      }
      if (r.done) return;
      yield give(r.value);
    }
  }
  if (kind === "none") {
    yield* rest();
    return;
  }
  const ds = new DecompressionStream(kind as CompressionFormat);
  const out = ReadableStream.from(rest()).pipeThrough(ds);
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
  } catch (e) {
    if (sourceError !== undefined) throw sourceError;
    if (e instanceof ImageError) throw e;
    throw new ImageError(`corrupt ${kind} stream: ${(e as Error).message}`);
  }
}
