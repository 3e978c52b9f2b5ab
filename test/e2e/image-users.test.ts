// The image's /etc/passwd and /etc/group are read on every run, from files the image's author
// controls (issue 14, item 5): a fifo hung bunbox, a symlink to /dev/zero or a device node ate
// gigabytes, a uid of 2^32 wrapped to root. Images here are directories and tarballs made by the
// test from the embedded busybox; each must leave bunbox quick, bounded and correct.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Sandbox } from "./harness.ts";

const IMAGE_TAR = `${import.meta.dir}/../../dist/busybox.tar.zst`;
const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-image-users-`);

afterAll(() => {
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

/** The busybox rootfs as a directory of our own, its /etc/passwd replaced by `make(path)`. */
function image(name: string, make: (passwd: string, root: string) => void): string {
  const dir = `${work}/${name}`;
  mkdirSync(dir);
  const tar = Bun.spawnSync(["tar", "-x", "-C", dir], { stdin: Bun.zstdDecompressSync(readFileSync(IMAGE_TAR)) });
  if (tar.exitCode !== 0) throw new Error(`tar: ${tar.stderr}`);
  rmSync(`${dir}/etc/passwd`);
  make(`${dir}/etc/passwd`, dir);
  return dir;
}

/** The same image as a tarball, imported by `run` into the store (device nodes kept, as root). */
function tarball(dir: string): string {
  const out = `${dir}.tar`;
  const tar = Bun.spawnSync(["tar", "-C", dir, "-cf", out, "."]);
  if (tar.exitCode !== 0) throw new Error(`tar: ${tar.stderr}`);
  return out;
}

const sh = (...args: string[]) => {
  const r = Bun.spawnSync(args);
  if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
};
const mkfifo = (p: string) => sh("mkfifo", p);
const mknodZero = (p: string) => sh("mknod", p, "c", "1", "5");

// A hang or a runaway read must fail the test, not stall it: a start takes well under a second
const FAST = { timeoutMs: 15_000 };

describe("an /etc/passwd that is not a small regular file: ignored, as Docker ignores an unreadable one", () => {
  const cases: [string, (p: string, root: string) => void][] = [
    ["a fifo", mkfifo],
    ["a symlink to /dev/zero (a real 1:5 node in the image)", (p, root) => { rmSync(`${root}/dev`, { recursive: true, force: true }); mkdirSync(`${root}/dev`); mknodZero(`${root}/dev/zero`); symlinkSync("/dev/zero", p); }],
    ["a 2 MiB file", (p) => writeFileSync(p, "#".repeat(2 * 1024 * 1024 - 1) + "\nbob:x:4242:4242::/home/bob:/bin/sh\n")],
  ];

  test.each(cases)("%s: a numeric -u runs at once", (what, make) => {
    const img = image(`num-${what.split(" ")[1]}`, make);
    // Not `id`: it would read the fifo itself, and hang the way the image asks for
    const r = sb.box(["-u", "4242:4242", img, "sh", "-c", "grep -E '^(Uid|Gid):' /proc/self/status | cut -f2"], FAST);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "4242\n4242\n", ""]);
  });

  test.each(cases)("%s: a name cannot be resolved, and the one error line says why", (what, make) => {
    const img = image(`name-${what.split(" ")[1]}`, make);
    const r = sb.box(["-u", "bob", img, "true"], FAST);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^bunbox: unable to find user bob: no matching entries in passwd file \(\/etc\/passwd is (a character device, not a regular file|a fifo, not a regular file|larger than 1 MiB): ignored\)\n$/);
  });

  test.each([["a fifo", mkfifo], ["a char device 1:5", mknodZero]] as const)("a tarball whose etc/passwd is %s: imported, then run with -u 0 at once", (what, make) => {
    const img = tarball(image(`tar-${what.split(" ")[1]}`, make));
    const r = sb.box(["-u", "0", img, "sh", "-c", "echo ran"], FAST);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "ran\n", ""]);
  });
});

describe("ids in the image's files are range-checked as -u numbers are", () => {
  test("uid 4294967296 (2^32) in /etc/passwd: refused, never uid 0 with the 14 capabilities", () => {
    const img = image("wrap", (p) => writeFileSync(p, "root:x:0:0:root:/root:/bin/sh\nevil:x:4294967296:4294967296::/:/bin/sh\n"));
    const r = sb.box(["-u", "evil", img, "sh", "-c", "grep ^Uid: /proc/self/status"], FAST);
    expect([r.code, r.stdout]).toEqual([125, ""]);
    expect(r.stderr).toBe("bunbox: user evil has uid 4294967296 in the image's /etc/passwd: ids must be below 4294967295\n");
  });

  test("gid 4294967296 in /etc/group for -u bob:evilgroup: refused too", () => {
    const img = image("wrap-group", (p, root) => {
      writeFileSync(p, "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000::/:/bin/sh\n");
      writeFileSync(`${root}/etc/group`, "root:x:0:\nevilgroup:x:4294967296:\n");
    });
    const r = sb.box(["-u", "bob:evilgroup", img, "sh", "-c", "grep ^Gid: /proc/self/status"], FAST);
    expect([r.code, r.stdout, r.stderr]).toEqual([125, "", "bunbox: group evilgroup has gid 4294967296 in the image's /etc/group: ids must be below 4294967295\n"]);
  });
});
