#!/usr/bin/env bun
// Builds dist/bunbox for this machine; with --all also dist/bunbox-linux-x64 and
// dist/bunbox-linux-arm64 (their runtimes come from the npm registry, cached in
// ~/.bun/install/cache).
//
//   bun run build [--all]
import { $ } from "bun";
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { compile } from "./lib/compile.ts";
import { recordBytecodeOrder } from "./lib/bytecode-order.ts";
import { ROOT, hostDebArch, mb } from "./lib/util.ts";

const all = process.argv.includes("--all");
const t0 = performance.now();
const dist = join(ROOT, "dist");

/** Image for a Debian arch: the host's at the path src/ imports, others beside it. */
const imagePath = async (arch: string) =>
  arch === (await hostDebArch()) ? join(dist, "busybox.tar.zst") : join(dist, `linux-${arch}`, "busybox.tar.zst");

/** (Re)build an image when missing or older than the code that makes it. */
async function ensureImage(arch: string): Promise<string> {
  const out = await imagePath(arch);
  const makers = ["busybox-image.ts", "lib/tar.ts"].map((f) => statSync(join(ROOT, "scripts", f)).mtimeMs);
  if (!existsSync(out) || statSync(out).mtimeMs < Math.max(...makers)) {
    await $`${process.execPath} ${join(ROOT, "scripts", "busybox-image.ts")} --arch ${arch} --out ${out}`;
  }
  return out;
}

const pkg = await Bun.file(join(ROOT, "package.json")).json();
const sha = await $`git -C ${ROOT} rev-parse --short HEAD`.nothrow().quiet();
const commit = sha.exitCode === 0 ? sha.text().trim() : "unknown";
const define = { BUILD_VERSION: JSON.stringify(pkg.version), BUILD_COMMIT: JSON.stringify(commit) };
const entry = join(ROOT, "src", "main.ts");

/** Recorded from this machine's binary, reused for the other targets (the functions are the same source). */
let bytecodeOrder: string[] = [];

async function build(outfile: string, arch: string, target?: Bun.Build.CompileTarget) {
  const t = performance.now();
  const image = await ensureImage(arch);
  const cross = arch !== (await hostDebArch());
  await compile({ entry, outfile, target, define, image: cross ? image : undefined, bytecodeOrder });
  if (!cross && !bytecodeOrder.length) {
    // Second pass with the layout a container start asked for (scripts/lib/bytecode-order.ts)
    bytecodeOrder = recordBytecodeOrder(outfile, join(ROOT, ".cache", "bytecode-order"), (s) => console.log(s));
    if (bytecodeOrder.length) await compile({ entry, outfile, target, define, bytecodeOrder });
  }
  // Source maps are embedded in the executable; the files Bun also writes beside it only pile up
  for (const f of readdirSync(dirname(outfile))) if (f.endsWith(".js.map") || f === `${basename(outfile)}.map`) rmSync(join(dirname(outfile), f), { force: true });
  console.log(`${outfile.slice(ROOT.length + 1)}: ${mb(statSync(outfile).size)} in ${((performance.now() - t) / 1000).toFixed(1)} s${bytecodeOrder.length ? " (bytecode laid out by a recorded run)" : ""}`);
}

const host = await hostDebArch();
await build(join(dist, "bunbox"), host);
if (all) {
  for (const [arch, target] of [["amd64", "bun-linux-x64"], ["arm64", "bun-linux-arm64"]] as const) {
    const out = join(dist, target.replace(/^bun-/, "bunbox-"));
    // The host target is the binary just built: copy it instead of compiling twice.
    if (arch === host) copyFileSync(join(dist, "bunbox"), out);
    else await build(out, arch, target);
    if (arch === host) console.log(`${out.slice(ROOT.length + 1)}: copy of dist/bunbox`);
  }
}
console.log(`build ${pkg.version} (${commit}) done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
