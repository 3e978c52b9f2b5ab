// Bind mounts as one "bind" step (issue 14 item 3): the MS_ flags a volume asks for, as the
// mount_setattr attributes the detached mount gets.
import { describe, expect, test } from "bun:test";
import { mountAttrs, propagationAttr, describeAttrs } from "../../../src/linux/mounts/attr.ts";
import { planFilesystem } from "../../../src/linux/mounts/plan.ts";
import { MS, MOUNT_ATTR } from "../../../src/sys/constants.ts";
import { parseVolume } from "../../../src/config/volumes.ts";

const cgroups = { unified: true, v1: [], unifiedDir: "" };
const plan = (mounts: Parameters<typeof planFilesystem>[0]["mounts"]) =>
  planFilesystem({ rootfs: "/r", readonly: false, mounts, cgroups, defaultDevices: false, maskedPaths: [], readonlyPaths: [], terminal: false });

describe("MS_ flags → mount_setattr attributes", () => {
  test("per-mount flags map one to one; nothing asked sets nothing", () => {
    expect(mountAttrs(0)).toEqual({ set: 0, clear: 0 });
    expect(mountAttrs(MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC)).toEqual({
      set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC, clear: 0,
    });
  });

  test("an atime mode replaces the source's (the atime field is a value: cleared, then set)", () => {
    expect(mountAttrs(MS.NOATIME)).toEqual({ set: MOUNT_ATTR.NOATIME, clear: MOUNT_ATTR.ATIME_MASK });
    expect(mountAttrs(MS.RELATIME)).toEqual({ set: 0, clear: MOUNT_ATTR.ATIME_MASK });
    expect(describeAttrs(mountAttrs(MS.RDONLY | MS.STRICTATIME))).toBe("MOUNT_ATTR_RDONLY|MOUNT_ATTR_STRICTATIME");
  });

  test("superblock flags (sync, lazytime) are not per-mount: a bind cannot set them, as before", () => {
    expect(mountAttrs(MS.SYNCHRONOUS | MS.LAZYTIME)).toEqual({ set: 0, clear: 0 });
  });

  test("propagation: the type, and whether it covers the tree", () => {
    expect(propagationAttr(MS.PRIVATE | MS.REC)).toEqual({ type: MS.PRIVATE, recursive: true });
    expect(propagationAttr(MS.SLAVE)).toEqual({ type: MS.SLAVE, recursive: false });
    expect(propagationAttr(0)).toEqual({ type: 0, recursive: false });
  });
});

describe("a volume is one bind step (no remount that looks the target up again)", () => {
  test("-v /srv/data:/data:ro", () => {
    const steps = plan([parseVolume("/srv/data:/data:ro")]);
    expect(steps.filter((s) => s.kind === "bind" || s.kind === "remount" || (s.kind === "mount" && s.where === "rootfs"))).toEqual([{
      kind: "bind", source: "/srv/data", target: "/data", recursive: true, flags: MS.RDONLY, propagation: MS.PRIVATE | MS.REC,
      concept: "filesystem", why: "/srv/data from the host at /data (ro)",
    }]);
  });

  test("an OCI bind without rbind is not recursive; nosuid,nodev,noexec are kept, remount is dropped", () => {
    const [step] = plan([{ destination: "/x", type: "bind", source: "/y", options: ["bind", "nosuid", "nodev", "noexec", "ro", "remount"] }]).filter((s) => s.kind === "bind");
    expect(step).toMatchObject({ recursive: false, flags: MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY, propagation: 0 });
  });

  test("other filesystems are still mounted in one mount(2) call", () => {
    const steps = plan([{ destination: "/t", type: "tmpfs", source: "tmpfs", options: ["ro", "nosuid", "size=1m"] }]);
    expect(steps.filter((s) => s.kind === "mount" && s.where === "rootfs")).toMatchObject([{ fstype: "tmpfs", flags: MS.RDONLY | MS.NOSUID, data: "size=1m" }]);
  });
});
