import { describe, expect, test } from "bun:test";
import { parseFlags, FlagError } from "../../../src/cli/runc/flags.ts";
import { CREATE_FLAGS } from "../../../src/cli/runc/create-flags.ts";

const GLOBAL = { root: { value: true }, log: { value: true }, "log-format": { value: true }, debug: {}, "systemd-cgroup": {}, rootless: {}, criu: { value: true } };

describe("runc flag syntax", () => {
  test("what containerd's shim sends", () => {
    const r = parseFlags(["--root", "/run/x", "--log", "/b/log.json", "--log-format", "json", "create", "--bundle", "/b", "ID"], GLOBAL);
    expect(r.flags).toEqual({ root: "/run/x", log: "/b/log.json", "log-format": "json" });
    expect(r.positional).toEqual(["create", "--bundle", "/b", "ID"]);
  });
  test("go-runc's extra globals: --rootless=true|false, --debug, --systemd-cgroup, --criu PATH", () => {
    expect(parseFlags(["--rootless=false", "--debug", "--criu", "/usr/sbin/criu", "state", "x"], GLOBAL).flags).toEqual({ rootless: false, debug: true, criu: "/usr/sbin/criu" });
    expect(parseFlags(["--rootless=true", "list"], GLOBAL).flags.rootless).toBe(true);
    expect(parseFlags(["-systemd-cgroup", "list"], GLOBAL).flags["systemd-cgroup"]).toBe(true);
  });
  test("values after = and single-dash long names (Go's flag package)", () => {
    const r = parseFlags(["-bundle=/b", "--pid-file=/p", "-console-socket", "/s", "id"], CREATE_FLAGS);
    expect(r.flags).toEqual({ bundle: "/b", "pid-file": "/p", "console-socket": "/s" });
    expect(r.positional).toEqual(["id"]);
  });
  test("aliases, and -- ends the flags", () => {
    expect(parseFlags(["-b", "/b", "--", "-x"], CREATE_FLAGS)).toEqual({ flags: { bundle: "/b" }, positional: ["-x"] });
  });
  test("flags stop at the first positional (exec ID sh -c …)", () => {
    const r = parseFlags(["--detach", "id", "sh", "-c", "echo --detach"], { detach: {} });
    expect(r.positional).toEqual(["id", "sh", "-c", "echo --detach"]);
  });
  test("repeated flags collect", () => {
    expect(parseFlags(["--env", "A=1", "-e", "B=2", "id"], { env: { value: true, multi: true, alias: ["e"] } }).flags.env).toEqual(["A=1", "B=2"]);
  });
  test("errors in Go's words", () => {
    expect(() => parseFlags(["--nope", "x"], GLOBAL)).toThrow(new FlagError("flag provided but not defined: -nope"));
    expect(() => parseFlags(["--root"], GLOBAL)).toThrow("flag needs an argument: -root");
    expect(() => parseFlags(["--debug=maybe"], GLOBAL)).toThrow('invalid boolean value "maybe" for -debug');
  });
});
