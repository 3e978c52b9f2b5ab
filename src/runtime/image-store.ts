// TEMPORARY stub until the image store lands (branch image).
import type { ImageStoreApi } from "./images.ts";
export function openImageStore(_dir: string): ImageStoreApi {
  return { find: () => undefined, importFile: async () => { throw new Error("no store yet"); }, importBytes: async () => { throw new Error("no store yet"); } };
}
