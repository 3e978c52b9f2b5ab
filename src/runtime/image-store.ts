// The image store as the CLI and the image resolver see it (src/image's ImageStore, with "not
// found" as undefined rather than an error, and progress as plain numbers).
import { ImageStore } from "../image/store.ts";
import { ImageError } from "../image/errors.ts";
import type { ImageStoreApi } from "./images.ts";
import { normalJitPolicy } from "./jit-policy.ts";

export function openImageStore(dataRoot: string): ImageStoreApi {
  const store = new ImageStore(dataRoot);
  return {
    find(ref) {
      try {
        return store.resolveImage(ref);
      } catch (e) {
        if (e instanceof ImageError && e.message.startsWith("No such image")) return undefined;
        throw e;
      }
    },
    // An import is a hot loop over the whole archive: the JIT pays for itself there
    importFile: (path, name, onProgress) => (normalJitPolicy(),
      store.importArchive({ path }, { name, onProgress: onProgress && ((p) => onProgress(p.bytes, p.entries)) })),
    importBytes: (bytes, name) => (normalJitPolicy(), store.importArchive({ bytes }, { name })),
    list: () => store.listImages(),
    remove: (ref, opts) => store.removeImage(ref, opts),
    removeStaleTemps: () => store.removeStaleTemps(),
  };
}
