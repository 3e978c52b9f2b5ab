// The image subsystem's public surface (architecture.md: src/image/).
export { ImageError } from "./errors.ts";
export { ImageStore, type ImageInfo, type ImageSource, type ImportOptions, type ImportResult } from "./store.ts";
export { extractArchive, Extractor, type ExtractOptions, type ExtractResult } from "./extract.ts";
export { readTar, TarParser, DEFAULT_LIMITS, type TarEntry, type EntryType, type TarLimits, type TarSink } from "./tar-reader.ts";
export { decompress, detectCompression, type Compression } from "./decompress.ts";
export { fileChunks, bytesChunks } from "./source.ts";
