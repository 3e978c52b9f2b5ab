// Checks what the build tooling promises: version stamping, no .env/bunfig
// autoload in the compiled binary, and a reproducible busybox image.
// scripts/test.ts builds dist/ before bun test runs.
import { $ } from "bun";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../scripts/lib/compile.ts";

const ROOT = join(import.meta.dir, "..");
const bunbox = join(ROOT, "dist", "bunbox");

/** A directory holding a .env and a bunfig.toml whose preload announces itself. */
function trapDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bunbox-trap-"));
  writeFileSync(join(dir, ".env"), "BUNBOX_PROBE=loaded\n");
  writeFileSync(join(dir, "pre.js"), 'console.log("PRELOADED"); globalThis.__preloaded = "loaded";\n');
  writeFileSync(join(dir, "bunfig.toml"), 'preload = ["./pre.js"]\n');
  return dir;
}

describe("dist/bunbox", () => {
  test("--version prints package version and commit", async () => {
    const pkg = await Bun.file(join(ROOT, "package.json")).json();
    const sha = await $`git -C ${ROOT} rev-parse --short HEAD`.nothrow().quiet();
    const commit = sha.exitCode === 0 ? sha.text().trim() : "unknown";
    const out = await $`${bunbox} --version`.text();
    // runc's shape (engine-contract.md): version, commit, then the OCI spec version
    expect(out).toBe(`bunbox version ${pkg.version}\ncommit: ${commit}\nspec: 1.2.0\n`);
  });

  test("ignores bunfig.toml in the current directory", async () => {
    const dir = trapDir();
    try {
      const out = await $`${bunbox} --version`.cwd(dir).text();
      expect(out).not.toContain("PRELOADED");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

// --version can't show whether .env was read, so compile a probe with the very
// same options (scripts/lib/compile.ts) and ask it.
test("compile options disable .env and bunfig.toml autoload", async () => {
  const work = mkdtempSync(join(tmpdir(), "bunbox-probe-"));
  const dir = trapDir();
  try {
    const entry = join(work, "probe.ts");
    writeFileSync(entry, 'console.log(`dotenv=${process.env.BUNBOX_PROBE ?? "no"} preload=${(globalThis as any).__preloaded ?? "no"}`);\n');
    await compile({ entry, outfile: join(work, "probe") });
    expect(await $`${join(work, "probe")}`.cwd(dir).text()).toBe("dotenv=no preload=no\n");
  } finally {
    rmSync(work, { recursive: true });
    rmSync(dir, { recursive: true });
  }
}, 60_000);

describe("dist/busybox.tar.zst", () => {
  const image = join(ROOT, "dist", "busybox.tar.zst");
  const listing = async () => {
    const tar = Bun.zstdDecompressSync(await Bun.file(image).bytes());
    return (await $`tar --numeric-owner -tvf - < ${tar}`.text()).trim().split("\n");
  };

  test("has busybox, applet links, accounts and the usual directories", async () => {
    const lines = await listing();
    const find = (path: string) => lines.find((l) => l.split(/\s+/)[5] === path);
    expect(find("bin/busybox")).toMatch(/^-rwxr-xr-x 0\/0 /);
    expect(find("bin/sh")).toMatch(/^lrwxrwxrwx 0\/0 .* bin\/sh -> busybox$/);
    expect(find("usr/bin/env")).toMatch(/-> \.\.\/\.\.\/bin\/busybox$/);
    expect(find("tmp/")).toMatch(/^drwxrwxrwt 0\/0 /);
    expect(find("root/")).toMatch(/^drwx------ 0\/0 /);
    for (const d of ["etc", "proc", "sys", "dev", "home", "var", "usr/bin", "usr/sbin", "sbin"]) {
      expect(find(`${d}/`)).toMatch(/^drwxr-xr-x 0\/0 /);
    }
    expect(lines.every((l) => l.includes(" 0/0 "))).toBe(true);
  });

  test("is sorted and uses one mtime (reproducible)", async () => {
    const lines = await listing();
    const names = lines.map((l) => l.split(/\s+/)[5]!.replace(/\/$/, ""));
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(lines.map((l) => l.split(/\s+/).slice(3, 5).join(" "))).size).toBe(1);
  });

  test("runs as a rootfs: sh, id and /etc/passwd work under chroot", async () => {
    const root = mkdtempSync(join(tmpdir(), "bunbox-rootfs-"));
    try {
      const tar = Bun.zstdDecompressSync(await Bun.file(image).bytes());
      await $`tar -xpf - -C ${root} < ${tar}`;
      const out = await $`chroot ${root} /bin/sh -c 'id nobody; echo $(id -un)'`.text();
      expect(out).toBe("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\nroot\n");
    } finally {
      rmSync(root, { recursive: true });
    }
  });
});
