#!/usr/bin/env bun
// Builds the busybox image that bunbox embeds, from Debian's busybox-static .deb.
//
//   bun scripts/busybox-image.ts [--arch amd64|arm64] [--out dist/busybox.tar.zst]
//
// Output: a zstd-compressed tar of a tiny rootfs, byte-for-byte reproducible for a
// given .deb (fixed owner 0:0, sorted entries, mtime taken from the packaged binary).
import { $ } from "bun";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeTar, type TarEntry } from "./lib/tar.ts";
import { ROOT, hostDebArch } from "./lib/util.ts";

const { values } = parseArgs({
  options: { arch: { type: "string" }, out: { type: "string" } },
});
const arch = values.arch ?? (await hostDebArch());
const out = values.out ?? join(ROOT, "dist", "busybox.tar.zst");
const cache = join(ROOT, ".cache");
mkdirSync(cache, { recursive: true });

/** Fetch busybox-static for `a` into .cache/ once; returns the extracted tree. */
async function fetchDeb(a: string): Promise<string> {
  const dir = join(cache, `busybox-static-${a}`);
  let deb = readdirSync(cache).find((f) => f.startsWith("busybox-static_") && f.endsWith(`_${a}.deb`));
  if (!deb) {
    const host = a === (await hostDebArch());
    // A foreign arch needs its package lists; keep them in a private lists dir so we
    // never change the machine's dpkg architectures or its own apt lists.
    const lists = join(cache, "apt-lists");
    const opts = host
      ? []
      : ["-o", `APT::Architectures::=${a}`, "-o", `Dir::State::Lists=${lists}`,
         "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache="];
    if (!host) {
      mkdirSync(join(lists, "partial"), { recursive: true });
      await $`apt-get -q ${opts} update`.quiet();
    }
    const pkg = host ? "busybox-static" : `busybox-static:${a}`;
    let r = await $`apt-get -q ${opts} download ${pkg}`.cwd(cache).nothrow().quiet();
    if (r.exitCode !== 0 && host) {
      // Fresh machines may have no package lists yet: refresh once and retry.
      console.error("apt-get download failed; running apt-get update and retrying");
      await $`apt-get -q update`.quiet();
      r = await $`apt-get -q download ${pkg}`.cwd(cache).nothrow().quiet();
    }
    if (r.exitCode !== 0) throw new Error(`apt-get download ${pkg} failed:\n${r.stderr}`);
    deb = readdirSync(cache).find((f) => f.startsWith("busybox-static_") && f.endsWith(`_${a}.deb`))!;
    rmSync(dir, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, "bin", "busybox"))) {
    await $`dpkg-deb -x ${join(cache, deb)} ${dir}`;
  }
  return dir;
}

const tree = await fetchDeb(arch);
const busybox = join(tree, "bin", "busybox");
// --list-full needs a runnable busybox; for a foreign arch ask the host one of the
// same Debian version (the applet set is the same build configuration).
const lister = arch === (await hostDebArch()) ? busybox : join(await fetchDeb(await hostDebArch()), "bin", "busybox");
const applets = (await $`${lister} --list-full`.text()).split("\n").filter(Boolean);

const entries = new Map<string, TarEntry>();
const dir = (path: string, mode = 0o755) => entries.set(path, { type: "dir", path, mode });
const text = (path: string, s: string) =>
  entries.set(path, { type: "file", path, mode: 0o644, data: new TextEncoder().encode(s) });

for (const d of ["bin", "dev", "etc", "home", "proc", "sbin", "sys", "usr", "usr/bin", "usr/sbin", "var"]) dir(d);
dir("root", 0o700);
dir("tmp", 0o1777);
entries.set("bin/busybox", { type: "file", path: "bin/busybox", mode: 0o755, data: await Bun.file(busybox).bytes() });
// Relative links so they resolve both inside the container and in an extracted
// rootfs seen from the host (absolute ones would point at the host's /bin).
for (const path of applets) {
  if (path === "bin/busybox") continue;
  const depth = path.split("/").length - 1;
  const target = depth === 0 ? "bin/busybox" : depth === 1 && path.startsWith("bin/") ? "busybox" : "../".repeat(depth) + "bin/busybox";
  entries.set(path, { type: "symlink", path, target });
}
// Same accounts as Docker's busybox image needs for `id`, `ps` and `su nobody`.
text("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
text("etc/group", "root:x:0:\nnogroup:x:65534:\n");

// Parents before children: plain byte order of paths does that and is stable.
const sorted = [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
const mtime = Math.floor(statSync(busybox).mtimeMs / 1000);
const tar = writeTar(sorted, mtime);
const zst = Bun.zstdCompressSync(tar, { level: 19 });
mkdirSync(join(out, ".."), { recursive: true });
await Bun.write(out, zst);
console.log(`${out}: ${arch}, ${applets.length} applets, tar ${(tar.length / 1e6).toFixed(2)} MB -> zstd ${(zst.length / 1e6).toFixed(2)} MB`);
