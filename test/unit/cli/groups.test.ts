import { expect, test } from "bun:test";
import { expandGroup } from "../../../src/cli/groups.ts";

test("container/image/volume subcommands become bunbox's verbs; anything else is left to the group", () => {
  expect(expandGroup(["container", "ls", "-a"])).toEqual(["ps", "-a"]);
  expect(expandGroup(["--root", "/r", "container", "remove", "x"])).toEqual(["--root", "/r", "rm", "x"]);
  expect(expandGroup(["image", "list", "-q"])).toEqual(["images", "-q"]);
  expect(expandGroup(["volume", "ls"])).toEqual(["volume-ls"]);
  expect(expandGroup(["container", "prune", "-f"])).toEqual(["container", "prune", "-f"]);
  expect(expandGroup(["container", "toString"])).toEqual(["container", "toString"]);
  expect(expandGroup(["run", "container", "ls"])).toEqual(["run", "container", "ls"]);
  expect(expandGroup(["container"])).toEqual(["container"]);
});
