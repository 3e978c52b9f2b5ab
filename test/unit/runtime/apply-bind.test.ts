// The bind applier against a recording fake of the kernel calls (issue 14 item 3): every path is
// resolved once, the attributes go on the detached mount, and a kernel without mount_setattr
// gets them through the attached mount's own fd, never through the target path again.
import { describe, expect, test } from "bun:test";
import { applyBind, type BindKernel } from "../../../src/linux/mounts/bind.ts";
import { SysError } from "../../../src/sys/errno.ts";
import { MS, MOUNT_ATTR } from "../../../src/sys/constants.ts";

const ENOSYS = 38, ELOOP = 40;

function fake(opts: { noSetattr?: boolean; noOpenTree?: boolean; sourceIsLink?: boolean; file?: boolean; targetIsFile?: boolean } = {}) {
  const calls: string[] = [];
  let next = 10;
  const k: BindKernel = {
    openSource(path) {
      if (opts.sourceIsLink) throw new SysError("openat2", ELOOP, path);
      calls.push(`openSource ${path}`);
      return next++;
    },
    // fd 10 is the source, 12 the target
    isDirectory: (fd) => (fd === 10 ? !opts.file : !(opts.targetIsFile ?? opts.file)),
    openTarget(path, create) { calls.push(`openTarget ${path} ${create}`); return next++; },
    openTreeClone(fd, recursive) {
      if (opts.noOpenTree) throw new SysError("open_tree", ENOSYS);
      calls.push(`openTreeClone ${fd} ${recursive}`);
      return next++;
    },
    mountSetattr(fd, set, clear, propagation, recursive) {
      if (opts.noSetattr) throw new SysError("mount_setattr", ENOSYS);
      calls.push(`mountSetattr ${fd} set=${set} clear=${clear} prop=${propagation} ${recursive}`);
    },
    moveMount(from, to) { calls.push(`moveMount ${from} -> ${to}`); },
    mountFd(fd, flags) { calls.push(`mountFd ${fd} ${flags}`); },
    close(fd) { calls.push(`close ${fd}`); },
  };
  return { k, calls };
}

const ro = { kind: "bind", source: "/v/sub", target: "/data", recursive: true, flags: MS.RDONLY, propagation: MS.PRIVATE | MS.REC, concept: "filesystem", why: "" } as const;

describe("applyBind", () => {
  test("source by fd, clone, attributes on the detached tree, then attached onto the target fd", () => {
    const { k, calls } = fake();
    applyBind(ro, k);
    expect(calls).toEqual([
      "openSource /v/sub",
      "openTreeClone 10 true",
      `mountSetattr 11 set=${MOUNT_ATTR.RDONLY} clear=0 prop=${MS.PRIVATE} true`,
      "openTarget /data dir",
      "moveMount 11 -> 12",
      "close 12", "close 11", "close 10",
    ]);
  });

  test("a file source makes a file target; nothing asked: no mount_setattr at all", () => {
    const { k, calls } = fake({ file: true });
    applyBind({ ...ro, flags: 0, propagation: 0 }, k);
    expect(calls.filter((c) => c.startsWith("mountSetattr"))).toEqual([]);
    expect(calls).toContain("openTarget /data file");
  });

  test("propagation of another depth than the tree's: a second call", () => {
    const { k, calls } = fake();
    applyBind({ ...ro, propagation: MS.SLAVE }, k);
    expect(calls.filter((c) => c.startsWith("mountSetattr"))).toEqual([
      `mountSetattr 11 set=${MOUNT_ATTR.RDONLY} clear=0 prop=0 true`,
      `mountSetattr 11 set=0 clear=0 prop=${MS.SLAVE} false`,
    ]);
  });

  test("no mount_setattr (Linux 5.2-5.11): remounted through the attached mount's fd after the move", () => {
    const { k, calls } = fake({ noSetattr: true });
    applyBind(ro, k);
    expect(calls.slice(2, 6)).toEqual([
      "openTarget /data dir", "moveMount 11 -> 12", "close 12",
      `mountFd 11 ${MS.BIND | MS.REMOUNT | MS.RDONLY}`,
    ]);
    expect(calls[6]).toBe(`mountFd 11 ${MS.PRIVATE | MS.REC}`);
  });

  test("no open_tree: refused, naming why (no bind by path as a fallback)", () => {
    const { k } = fake({ noOpenTree: true });
    expect(() => applyBind(ro, k)).toThrow(/open_tree \/v\/sub \(bind mounts need the mount API of Linux 5.2[^)]*\): ENOSYS/);
  });

  test("a file onto a directory: ENOTDIR naming the target, as mount(2) said (move_mount says EINVAL)", () => {
    const { k, calls } = fake({ file: true, targetIsFile: false });
    expect(() => applyBind(ro, k)).toThrow("move_mount /v/sub on /data: ENOTDIR (not a directory)");
    expect(calls.filter((c) => c.startsWith("moveMount"))).toEqual([]);
  });

  test("a symlink in the source: refused with what to do, the target never touched", () => {
    const { k, calls } = fake({ sourceIsLink: true });
    expect(() => applyBind(ro, k)).toThrow(/openat2 \/v\/sub \(a bind source is opened without following symlinks.*\): ELOOP/);
    expect(calls).toEqual([]);
  });
});
