import { describe, expect, test } from "bun:test";
import { parseUserns, subordinateRange, AUTO_RANGE } from "../../../src/config/userns-mode.ts";
import { idMapText, describeIdMap, hostIdOf } from "../../../src/linux/namespaces/user.ts";

const none = { uidmap: [], gidmap: [] };

describe("--userns, --uidmap, --gidmap", () => {
  test("host (or nothing): no user namespace", () => {
    expect(parseUserns(none, {})).toBeUndefined();
    expect(parseUserns({ ...none, userns: "host" }, {})).toBeUndefined();
  });
  test("auto: root's /etc/subuid and /etc/subgid ranges, else 100000-165535", () => {
    expect(parseUserns({ ...none, userns: "auto" }, {})).toEqual({ uidMappings: [AUTO_RANGE], gidMappings: [AUTO_RANGE] });
    const r = parseUserns({ ...none, userns: "auto" }, { subuid: "alice:100000:65536\nroot:231072:65536\n", subgid: "root:300000:1000\n" });
    expect(r).toEqual({ uidMappings: [{ containerID: 0, hostID: 231072, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 300000, size: 1000 }] });
  });
  test("subordinateRange: root or 0, the first valid line", () => {
    expect(subordinateRange("root:x:1\n0:5:10\n")).toEqual({ containerID: 0, hostID: 5, size: 10 });
    expect(subordinateRange("bob:1:2")).toBeUndefined();
    expect(subordinateRange(undefined)).toBeUndefined();
  });
  test("--uidmap (repeatable), and --gidmap defaulting to it", () => {
    expect(parseUserns({ uidmap: ["0:100000:1000", "1000:5000:1"], gidmap: [] }, {})).toEqual({
      uidMappings: [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 5000, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 5000, size: 1 }],
    });
    expect(parseUserns({ uidmap: ["0:1:1"], gidmap: ["0:2:1"] }, {})!.gidMappings).toEqual([{ containerID: 0, hostID: 2, size: 1 }]);
  });
  test("refusals name the flag and the fix", () => {
    const bad: [Parameters<typeof parseUserns>[0], string][] = [
      [{ ...none, userns: "keep-id" }, "--userns keep-id: use host (no user namespace) or auto"],
      [{ uidmap: ["0:1"], gidmap: [] }, "--uidmap 0:1: expected CONTAINER_ID:HOST_ID:SIZE"],
      [{ uidmap: ["0:1:0"], gidmap: [] }, "the size must be at least 1"],
      [{ uidmap: ["0:4294967290:10"], gidmap: [] }, "past the largest id"],
      [{ uidmap: ["0:100:10", "10:105:1"], gidmap: [] }, "0:100:10 and 10:105:1 overlap"],
      [{ uidmap: ["1:100:10"], gidmap: [] }, "container id 0 must be mapped"],
      [{ uidmap: ["0:1:1"], gidmap: ["1:1:1"] }, "--gidmap: container id 0 must be mapped"],
      [{ userns: "auto", uidmap: ["0:1:1"], gidmap: [] }, "cannot be used together"],
    ];
    for (const [flags, message] of bad) expect(() => parseUserns(flags, {})).toThrow(message);
  });
});

describe("mappings", () => {
  const maps = [{ containerID: 0, hostID: 100000, size: 65536 }, { containerID: 70000, hostID: 1000, size: 1 }];
  test("the text for uid_map, the narration, and one id's host id", () => {
    expect(idMapText(maps)).toBe("0 100000 65536\n70000 1000 1\n");
    expect(describeIdMap(maps)).toBe("container 0-65535 = host 100000-165535, container 70000 = host 1000");
    expect(hostIdOf(maps, 65535)).toBe(165535);
    expect(hostIdOf(maps, 70000)).toBe(1000);
    expect(hostIdOf(maps, 65536)).toBeUndefined();
  });
});
