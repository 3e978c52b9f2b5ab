import { describe, expect, test } from "bun:test";
import { parseGroup, parsePasswd, resolveUser } from "../../../src/config/user.ts";

const passwd = parsePasswd([
  "root:x:0:0:root:/root:/bin/sh",
  "alice:x:1000:1000::/home/alice:/bin/sh",
  "wrap:x:4294967296:100::/:/bin/sh", // 2^32: setresuid would take it as 0
  "badgid:x:1001:4294967296::/:/bin/sh",
].join("\n"));
const groups = parseGroup(["users:x:100:alice", "huge:x:99999999999:", "alicegrp:x:1000:"].join("\n"));

describe("ids from the image's passwd and group files are range-checked as -u numbers are", () => {
  test.each([
    ["wrap", /user wrap has uid 4294967296 in the image's \/etc\/passwd: ids must be below 4294967295/],
    ["badgid", /user badgid has gid 4294967296/],
    ["1001", /user badgid has gid 4294967296/],
    ["alice:huge", /group huge has gid 99999999999 in the image's \/etc\/group/],
  ])("-u %s is refused, never wrapped to root", (spec, message) => {
    expect(() => resolveUser(spec, passwd, groups)).toThrow(message);
  });

  test("--group-add of a group with an out-of-range gid is refused", () => {
    expect(() => resolveUser("alice", passwd, groups, ["huge"])).toThrow(/group huge has gid 99999999999/);
  });

  test("entries in range still resolve", () => {
    expect(resolveUser("alice", passwd, groups)).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 100], home: "/home/alice" });
  });
});

describe("a passwd or group file that was not read (fifo, device, too large)", () => {
  const problems = { passwd: "/etc/passwd is a fifo, not a regular file", group: "/etc/group is larger than 1 MiB" };

  test("numeric ids still work, as Docker's do", () => {
    expect(resolveUser("1000:1000", [], [], [], problems)).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000], home: "/" });
  });

  test("a name cannot be resolved: the error says why the file was ignored", () => {
    expect(() => resolveUser("alice", [], [], [], problems)).toThrow("unable to find user alice: no matching entries in passwd file (/etc/passwd is a fifo, not a regular file: ignored)");
    expect(() => resolveUser("0:users", [], [], [], problems)).toThrow("unable to find group users: no matching entries in group file (/etc/group is larger than 1 MiB: ignored)");
  });
});
