// IMAGE on the command line → a read-only rootfs directory plus the image's defaults.
// Accepted: a directory, a rootfs tarball, a name given with `bunbox import`, or `busybox`
// (embedded in the binary and imported into the store on first use).
import { statSync, existsSync } from "../sys/files.ts";
import type { ImageInfo } from "../config/from-flags.ts";
import { readBoundedInRoot, USER_FILE_MAX } from "../linux/mounts/inroot.ts";
import { UsageError } from "../config/errors.ts";
import { needsEtcMountpoints } from "./init-layer.ts";
import { canonicalImageName } from "../image/reference.ts";

export interface ImageResolver {
  resolve(ref: string): Promise<ImageInfo>;
}

export interface StoredImage {
  digest: string;
  rootfs: string;
  initLayer: string;
  names: string[];
  created: string;
  size: number;
}

export interface ImageStoreApi {
  /** The stored image for a name, a digest or a unique digest prefix; undefined if none. */
  find(ref: string): StoredImage | undefined;
  importFile(path: string, name?: string, onProgress?: (bytes: number, entries: number) => void): Promise<StoredImage>;
  importBytes(bytes: Uint8Array, name: string): Promise<StoredImage>;
  list(): StoredImage[];
  /** Drops a name (or, given a digest, the image and all its names); see ImageStore.removeImage. */
  remove(ref: string, opts?: { force?: boolean; usedBy?: (rootfs: string) => string | undefined }): { digest: string; untagged: string[]; deleted: boolean };
  /** Removes the extraction dirs of imports whose process is gone; says which. */
  removeStaleTemps(): string[];
}

export const EMBEDDED_NAME = "busybox";

/** busybox, busybox:latest, docker.io/library/busybox…: Docker's names for it (image/reference.ts). */
function isEmbedded(ref: string): boolean {
  return canonicalImageName(ref) === EMBEDDED_NAME;
}

export function imageResolver(store: () => ImageStoreApi, embedded: () => Promise<Uint8Array>): ImageResolver {
  return {
    async resolve(ref) {
      const st = statOrUndefined(ref);
      if (st?.isDirectory()) return describe(ref, ["/bin/sh"]);
      if (st?.isFile()) return stored(await store().importFile(ref), ["/bin/sh"]);
      const found = store().find(ref);
      if (found) return stored(found, commandOf(ref));
      if (isEmbedded(ref)) return stored(await store().importBytes(await embedded(), EMBEDDED_NAME), ["sh"]);
      // A bare name that is no image but a directory or file here (`dirimg` for ./dirimg), as a
      // bare tarball name already was: after the store, so an imported name is never shadowed
      const here = statAny(ref);
      if (here?.isDirectory()) return describe(ref, ["/bin/sh"]);
      if (here?.isFile()) return stored(await store().importFile(ref), ["/bin/sh"]);
      throw new UsageError(`unable to find image '${ref}': it is not a file, a directory or an imported image (see 'bunbox images'; import a rootfs tarball with 'bunbox import FILE NAME')`);
    },
  };
}

/**
 * The same answer without changing anything (no import, no root needed), for `bunbox explain`:
 * an image not imported yet is described from its archive, read in passing.
 */
export async function describeImageReadOnly(ref: string, store: () => ImageStoreApi | undefined, embedded: () => Promise<Uint8Array>): Promise<ImageInfo> {
  const st = statOrUndefined(ref);
  if (st?.isDirectory()) return describe(ref, ["/bin/sh"]);
  let found: StoredImage | undefined;
  try { found = store()?.find(ref); } catch { /* no store readable: describe from the archive */ }
  if (found) return stored(found, commandOf(ref));
  const { readTar } = await import("../image/tar-reader.ts");
  const { bytesChunks, fileChunks } = await import("../image/source.ts");
  const fromTar = async (chunks: AsyncIterable<Uint8Array>, rootfs: string, cmd: string[]): Promise<ImageInfo> => {
    const files: Record<string, string> = {};
    for await (const { entry, body } of readTar(chunks)) {
      const name = entry.name.replace(/^\.?\//, "");
      // As from a directory: regular files within the cap only
      if ((name === "etc/passwd" || name === "etc/group") && entry.type === "file" && body.length <= USER_FILE_MAX) files[name] = new TextDecoder().decode(body);
    }
    return { rootfs, entrypoint: [], cmd, env: [], workdir: "", passwd: files["etc/passwd"] ?? "", group: files["etc/group"] ?? "" };
  };
  if (st?.isFile()) return fromTar(fileChunks(ref), `<${ref}, extracted on first run>`, ["/bin/sh"]);
  if (isEmbedded(ref)) return fromTar(bytesChunks(await embedded()), "<embedded busybox, extracted on first run>", ["sh"]);
  const here = statAny(ref);
  if (here?.isDirectory()) return describe(ref, ["/bin/sh"]);
  if (here?.isFile()) return fromTar(fileChunks(ref), `<${ref}, extracted on first run>`, ["/bin/sh"]);
  throw new UsageError(`unable to find image '${ref}': it is not a file, a directory or an imported image (see 'bunbox images'; import a rootfs tarball with 'bunbox import FILE NAME')`);
}

/** A stored image: its /etc mountpoints go in the init layer beside it, when it lacks them. */
function stored(image: StoredImage, cmd: string[]): ImageInfo {
  const info = describe(image.rootfs, cmd);
  // Made already (the usual case): one lstat, not the image's /etc looked through again
  return existsSync(image.initLayer) || needsEtcMountpoints(image.rootfs) ? { ...info, initLayer: image.initLayer } : info;
}

function describe(rootfs: string, cmd: string[]): ImageInfo {
  // Read on every run, from a root the image's author controls: bounded (a fifo hung bunbox, a
  // device node or a huge file ate gigabytes), regular files only, resolved inside the root
  const passwd = readBoundedInRoot(rootfs, "/etc/passwd", USER_FILE_MAX);
  const group = readBoundedInRoot(rootfs, "/etc/group", USER_FILE_MAX);
  return {
    // No image config sets a working directory: Docker's is then "" (and the process runs in /)
    rootfs, entrypoint: [], cmd, env: [], workdir: "", passwd: passwd.text, group: group.text,
    ...(passwd.problem || group.problem ? { userFileProblems: { passwd: passwd.problem, group: group.problem } } : {}),
  };
}

/**
 * The default command of a stored image: busybox's is Docker's busybox's CMD (sh); an imported
 * one has none, as `docker import` makes it (run without a command: "No command specified").
 * A raw tarball or directory given as IMAGE runs /bin/sh (bunbox's own convenience).
 */
function commandOf(ref: string): string[] {
  return isEmbedded(ref) ? ["sh"] : [];
}

function statAny(path: string) {
  try { return statSync(path); } catch { return undefined; }
}

function statOrUndefined(path: string) {
  if (!path.includes("/") && !/\.(tar|tgz|tar\.gz|tar\.zst|tzst)$/.test(path)) return undefined;
  try { return statSync(path); } catch { return undefined; }
}
