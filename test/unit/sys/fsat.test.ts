// The file calls the init stage and the sync channel make without node:fs (src/sys/fsat.ts),
// checked against facts of this machine that need no root: statx offsets, access, mkdir -p,
// whole-file reads, and a UTF-8 character split across two reads of the sync channel.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fsat from "../../../src/sys/fsat.ts";
import { AT, O, X_OK } from "../../../src/sys/constants.ts";
import { SysError } from "../../../src/sys/errno.ts";
import { sys } from "../../../src/sys/kernel.ts";
import { SyncChannel } from "../../../src/runtime/sync.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-fsat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stat, lstat, fstat through statx", () => {
  test("/dev/null is the character device 1:3, mode 0666", () => {
    const st = fsat.stat("/dev/null");
    expect([st.isCharacterDevice(), st.isFile(), st.isDirectory()]).toEqual([true, false, false]);
    expect([st.rdevMajor, st.rdevMinor, st.mode & 0o7777]).toEqual([1, 3, 0o666]);
  });

  test("a file's mode, owner and type match node's stat of it", () => {
    const file = join(dir, "f");
    writeFileSync(file, "x", { mode: 0o640 });
    const st = fsat.stat(file), node = statSync(file);
    expect([st.isFile(), st.mode, st.uid, st.gid]).toEqual([true, node.mode, node.uid, node.gid]);
    const fd = fsat.openat(AT.FDCWD, file, O.RDONLY);
    try {
      expect(fsat.fstat(fd).mode).toBe(node.mode);
    } finally {
      fsat.close(fd);
    }
  });

  test("stat follows a symlink, lstat does not; a missing path is ENOENT naming it", () => {
    const link = join(dir, "to-root");
    symlinkSync("/", link);
    expect([fsat.stat(link).isDirectory(), fsat.lstat(link).isSymbolicLink()]).toEqual([true, true]);
    const missing = join(dir, "missing");
    expect(() => fsat.stat(missing)).toThrow(new SysError("stat", 2, missing));
  });
});

describe("isMountRoot (statx's STATX_ATTR_MOUNT_ROOT)", () => {
  test("/ and /proc are mount roots; a directory inside one, or a missing path, is not", () => {
    expect([fsat.isMountRoot("/"), fsat.isMountRoot("/proc"), fsat.isMountRoot(dir), fsat.isMountRoot(join(dir, "missing"))]).toEqual([true, true, false, false]);
  });
});

describe("access, mkdirs, readTextFile, readSome", () => {
  test("X_OK: a shell is executable, a file without any x bit is not (not even for root)", () => {
    const plain = join(dir, "plain");
    writeFileSync(plain, "", { mode: 0o644 });
    expect([fsat.access("/bin/sh", X_OK), fsat.access(plain, X_OK)]).toEqual([true, false]);
  });

  test("mkdirs makes every missing level with the mode given and accepts existing ones", () => {
    const deep = join(dir, "a/b/c");
    fsat.mkdirs(deep, 0o750);
    fsat.mkdirs(deep, 0o750);
    expect(fsat.stat(deep).isDirectory()).toBe(true);
    expect(fsat.stat(join(dir, "a")).mode & 0o777).toBe(0o750 & ~process.umask());
  });

  test("mkdirs through a regular file fails naming the level that is not a directory", () => {
    const file = join(dir, "file-in-the-way");
    writeFileSync(file, "");
    expect(() => fsat.mkdirs(join(file, "sub"))).toThrow(SysError);
    // ENOTDIR, as node (and mkdir -p) say: the name exists but is no directory
    expect(() => fsat.mkdirs(file)).toThrow(new SysError("mkdir", 20, file));
  });

  test("readTextFile reads past one buffer and keeps multi-byte characters", () => {
    const file = join(dir, "long");
    const text = "é".repeat(5000) + "\n→ end";
    writeFileSync(file, text);
    expect(fsat.readTextFile(file)).toBe(text);
    expect(fsat.readTextFile("/proc/sys/kernel/cap_last_cap")).toBe(readFileSync("/proc/sys/kernel/cap_last_cap", "utf8"));
  });

  test("readSome returns 0 at the end of a file", () => {
    const file = join(dir, "short");
    writeFileSync(file, "ab");
    const fd = fsat.openat(AT.FDCWD, file, O.RDONLY);
    try {
      const buf = new Uint8Array(8);
      expect([fsat.readSome(fd, buf), fsat.readSome(fd, buf)]).toEqual([2, 0]);
    } finally {
      fsat.close(fd);
    }
  });
});

describe("SyncChannel", () => {
  test("a message larger than one read, split inside a UTF-8 character, arrives whole", () => {
    const [a, b] = sys.socketpair();
    const send = new SyncChannel(sys, a), receive = new SyncChannel(sys, b);
    try {
      // '{"type":"plan","s":"' is 20 bytes; one more ASCII byte puts the 65,536-byte read
      // boundary in the middle of a two-byte "é"
      const s = "x" + "é".repeat(40000);
      send.send({ type: "plan", s } as never);
      send.close();
      expect(receive.receive<{ s: string }>()?.s).toBe(s);
      expect(receive.receive()).toBeNull();
    } finally {
      send.close();
      receive.close();
    }
  });
});
