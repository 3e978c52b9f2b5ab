// `bunbox version [-f FORMAT]` (cli/commands/version.ts): Docker's `version --format` over the same fields.
import { expect, test } from "bun:test";
import { versionText } from "../../../src/cli/commands/version.ts";

test("version: the plain text, or Docker's --format over Client and Server; a bad flag or argument is refused", () => {
  expect(versionText([])).toMatch(/^bunbox version \S+\ncommit: \S+\nspec: 1\.2\.0\n$/);
  expect(versionText(["--format", "{{.Client.Version}}"])).toBe(versionText(["-f", "{{.Server.Version}}"]));
  expect(versionText(["--format={{.Client.Os}}/{{.Server.Os}}"])).toBe("linux/linux\n");
  expect(JSON.parse(versionText(["-f", "{{json .Client}}"]))).toMatchObject({ Os: "linux", Platform: { Name: "bunbox" } });
  // What scripts read most: the API version, on both sides
  expect(versionText(["-f", "{{.Client.APIVersion}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}}"])).toBe("1.41 1.41 1.12\n");
  expect(versionText(["--help"])).toContain("Usage:  bunbox version [OPTIONS]");
  expect(() => versionText(["--bogus"])).toThrow("unknown flag: --bogus");
  expect(() => versionText(["extra"])).toThrow("accepts no arguments");
  expect(() => versionText(["-f"])).toThrow("flag needs an argument");
});
