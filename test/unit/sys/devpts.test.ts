// What counts as devpts's own ptmx (issue 14 item 7): the 5:2 node on a devpts filesystem.
import { describe, expect, test } from "bun:test";
import { ptmxProblem } from "../../../src/sys/devpts.ts";
import { DEVPTS_SUPER_MAGIC } from "../../../src/sys/constants.ts";

const TMPFS = 0x01021994;

describe("ptmxProblem", () => {
  test("devpts's ptmx passes", () => {
    expect(ptmxProblem({ fsType: DEVPTS_SUPER_MAGIC, isCharDevice: true, major: 5, minor: 2 })).toBeUndefined();
  });

  test("a kmsg node made by the container, on tmpfs or even on devpts, does not", () => {
    expect(ptmxProblem({ fsType: TMPFS, isCharDevice: true, major: 1, minor: 11 })).toBe("a character device 1:11 on a filesystem of type 0x1021994");
    expect(ptmxProblem({ fsType: DEVPTS_SUPER_MAGIC, isCharDevice: true, major: 1, minor: 11 })).toBe("a character device 1:11 on devpts");
  });

  test("a 5:2 node made with mknod elsewhere (not devpts), or a file, does not", () => {
    expect(ptmxProblem({ fsType: TMPFS, isCharDevice: true, major: 5, minor: 2 })).toMatch(/5:2 on a filesystem of type/);
    expect(ptmxProblem({ fsType: DEVPTS_SUPER_MAGIC, isCharDevice: false, major: 0, minor: 0 })).toBe("not a character device on devpts");
  });
});
