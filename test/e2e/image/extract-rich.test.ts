// The rich archive (every rootfs feature) extracted by bunbox and by GNU tar must give the same
// tree: names, types, modes (setuid/setgid/sticky), owners, link targets, devices, xattrs,
// contents, hardlink groups and nanosecond mtimes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extractArchive } from "../../../src/image/extract.ts";
import { fileChunks } from "../../../src/image/source.ts";
import { buildRich, type RichArchives } from "../../../fixtures/tar/build-rich.ts";
import { describeTree } from "./tree.ts";

let rich: RichArchives;
let work: string;

beforeAll(() => {
  rich = buildRich();
  work = mkdtempSync(`${tmpdir()}/bunbox-e2e-`);
});
afterAll(() => {
  rich?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

function gnuExtract(archive: string, dir: string): void {
  mkdirSync(dir);
  const p = Bun.spawnSync(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", archive, "-C", dir], { stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(p.stderr.toString());
}

describe("rich archive: bunbox == GNU tar", () => {
  for (const variant of ["posix", "gnu", "gz", "zst"] as const) {
    test(variant, async () => {
      const archive = rich[variant];
      const ours = `${work}/${variant}-bunbox`;
      const theirs = `${work}/${variant}-gnu`;
      mkdirSync(ours);
      const r = await extractArchive(fileChunks(archive), ours);
      expect(r.entries).toBe(39);
      gnuExtract(variant === "gz" || variant === "zst" ? rich.posix : archive, theirs);
      const a = describeTree(ours);
      const b = describeTree(theirs);
      expect(a).toEqual(b);
      // Spot checks, so the comparison cannot pass on two equally broken trees.
      const text = a.join("\n");
      expect(text).toContain("bin/su file 4755 0:0");
      expect(text).toContain("bin/wall file 2755 0:5");
      expect(text).toContain("tmp dir 1777 0:0");
      expect(text).toContain("srv/shared dir 2775 0:100");
      expect(text).toContain("dev/bigdev block 600 0:0 dev=259,70000");
      expect(text).toContain("bin/sh symlink 777 0:0 -> /bin/busybox");
      expect(text).toContain("lib/rel-link symlink 777 1000:1000 -> ../bin/busybox");
      expect(text).toContain("run/initctl fifo 600");
      expect(text).toContain("home/user/big.bin file 644 70000:70000 size=3145745");
      expect(text).toMatch(/bin\/busybox file 755 0:0 size=70010 sha=\w+ links=3/);
      if (variant !== "gnu") {
        expect(text).toContain("xattr security.capability=0100000200200000");
        expect(text).toContain("etc dir 755 0:0 xattr user.dirnote=");
        expect(text).toContain("mtime=1600000000123456789");
      }
    });
  }
});
