import { describe, expect, test } from "bun:test";
import { escapeControls, procpsSafe } from "../../../src/cli/sanitize.ts";
import { table } from "../../../src/cli/format.ts";
import { describeError } from "../../../src/cli/errors.ts";
import { UsageError } from "../../../src/config/errors.ts";

describe("text a container controls, on the user's terminal", () => {
  test("procps style: every non-printable is ?, printable Unicode stays", () => {
    expect(procpsSafe("sh -c \x1b]0;pwned\x07 \u009b31m tab\there é 日本")).toBe("sh -c ?]0;pwned? ?31m tab?here é 日本");
    expect(procpsSafe("bad \ufffd byte \udcff")).toBe("bad ? byte ?");
  });

  test("table cells (top, ps, images, stats) go through it; the columns stay aligned", () => {
    expect(table(["PID", "CMD"], [["1", "a\x1b[2Jb"], ["22", "c"]])).toBe("PID       CMD\n1         a?[2Jb\n22        c\n");
  });

  test("tables as docker's tabwriter: each column at least 10 wide (top's 20), else three spaces past its widest cell", () => {
    expect(table(["PORTS", "NAMES"], [["", "web"]])).toBe("PORTS     NAMES\n          web\n");
    expect(table(["CONTAINER ID", "NAMES"], [["0123456789ab", "web"]])).toBe("CONTAINER ID   NAMES\n0123456789ab   web\n");
    expect(table(["UID", "CMD"], [["root", "sh"]], 20)).toBe(`UID${" ".repeat(17)}CMD\nroot${" ".repeat(16)}sh\n`);
  });

  test("error lines: escaped, one line, raw bytes shown as \\xNN", () => {
    expect(escapeControls("a\nb\x1b[31m\udce9\u0085")).toBe("a\\nb\\x1b[31m\\xe9\\x85");
    expect(describeError(new UsageError("unable to find user \x1b]0;x\x07"), "run").message).toBe("unable to find user \\x1b]0;x\\x07");
  });
});
