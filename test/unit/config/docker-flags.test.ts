// The pure parsers behind run's Docker flags added for issue 15: their values and Docker's messages.
import { describe, expect, test } from "bun:test";
import { parseLabels, parseShmSize, parseStopTimeout } from "../../../src/config/container-config.ts";
import { parseRestartPolicy, shouldRestart, nextDelay } from "../../../src/config/restart-policy.ts";
import { parseIpcMode, parsePidMode } from "../../../src/config/namespace-modes.ts";
import { parseMountArg } from "../../../src/config/mount-flag.ts";
import { parseVolumeArg } from "../../../src/config/volumes.ts";

describe("labels", () => {
  test("file lines first, flags win; a bare key is empty; values keep their '='", () => {
    expect(parseLabels(["a=flag", "c"], [{ file: "f", text: "# x\n a=file\nb=1=2\n" }])).toEqual({ a: "flag", b: "1=2", c: "" });
    expect(() => parseLabels([], [{ file: "f", text: "a b=1\n" }])).toThrow("variable 'a b' contains whitespaces");
  });
});

test("--shm-size and --stop-timeout", () => {
  expect([parseShmSize(undefined), parseShmSize("0"), parseShmSize("1g"), parseShmSize("512k")]).toEqual([67108864, 67108864, 1073741824, 524288]);
  expect(() => parseShmSize("-1")).toThrow(`invalid argument "-1" for "--shm-size" flag: invalid size: '-1'`);
  expect([parseStopTimeout("5"), parseStopTimeout("-1"), parseStopTimeout(undefined)]).toEqual([5, -1, undefined]);
  expect(() => parseStopTimeout("1.5")).toThrow('invalid argument "1.5" for "--stop-timeout" flag');
});

describe("--restart", () => {
  test.each([
    ["", { Name: "no", MaximumRetryCount: 0 }],
    ["always", { Name: "always", MaximumRetryCount: 0 }],
    ["on-failure", { Name: "on-failure", MaximumRetryCount: 0 }],
    ["on-failure:5", { Name: "on-failure", MaximumRetryCount: 5 }],
    ["unless-stopped", { Name: "unless-stopped", MaximumRetryCount: 0 }],
  ])("%j", (text, want) => expect(parseRestartPolicy(text)).toEqual(want as never));
  test.each([
    ["a:b:c", "invalid restart policy format"], ["on-failure:x", "maximum retry count must be an integer"],
    ["no:1", "maximum retry count cannot be used with restart policy 'no'"], ["on-failure:-2", "maximum retry count cannot be negative"], ["never", "invalid restart policy 'never'"],
  ])("%j refused", (text, message) => expect(() => parseRestartPolicy(text)).toThrow(message));
  test("Docker's restart manager", () => {
    const end = { exitCode: 1, restartCount: 0, stopped: false, killed: false };
    expect(shouldRestart(parseRestartPolicy("always"), { ...end, exitCode: 0, killed: true })).toBe(true);
    expect(shouldRestart(parseRestartPolicy("always"), { ...end, stopped: true })).toBe(false);
    expect(shouldRestart(parseRestartPolicy("unless-stopped"), { ...end, killed: true })).toBe(false);
    expect(shouldRestart(parseRestartPolicy("on-failure"), { ...end, exitCode: 0 })).toBe(false);
    expect(shouldRestart(parseRestartPolicy("on-failure:2"), { ...end, restartCount: 1 })).toBe(true);
    expect(shouldRestart(parseRestartPolicy("on-failure:2"), { ...end, restartCount: 2 })).toBe(false);
    expect(shouldRestart(parseRestartPolicy("no"), end)).toBe(false);
    expect([nextDelay(0, 0), nextDelay(100, 50), nextDelay(40_000, 50), nextDelay(800, 12_000)]).toEqual([100, 200, 60_000, 100]);
  });
});

test("--ipc and --pid modes", () => {
  expect([parseIpcMode(undefined), parseIpcMode("shareable"), parseIpcMode("none"), parseIpcMode("host"), parseIpcMode("container:db")]).toEqual(["private", "shareable", "none", "host", { container: "db" }]);
  expect(() => parseIpcMode("container:")).toThrow("--ipc: invalid IPC mode");
  expect(() => parseIpcMode("shared")).toThrow("--ipc: invalid IPC mode");
  expect([parsePidMode(""), parsePidMode("host"), parsePidMode("container:web")]).toEqual(["private", "host", { container: "web" }]);
  expect(() => parsePidMode("private")).toThrow("--pid: invalid PID mode");
});

describe("-v and --mount", () => {
  test("-v: anonymous, named (with modes), host", () => {
    expect(parseVolumeArg("/data")).toEqual({ kind: "volume", destination: "/data", readonly: false, nocopy: false });
    expect(parseVolumeArg("db:/var/lib/db:ro,nocopy")).toEqual({ kind: "volume", name: "db", destination: "/var/lib/db", readonly: true, nocopy: true });
    expect(parseVolumeArg("/srv:/srv:ro")).toMatchObject({ kind: "bind", createSource: true, entry: { source: "/srv", destination: "/srv" } });
    expect(() => parseVolumeArg("./rel:/x")).toThrow('"./rel" includes invalid characters for a local volume name');
    expect(() => parseVolumeArg("/")).toThrow("cannot mount over /");
  });
  test("--mount: CSV with quotes, Docker's defaults and keys", () => {
    expect(parseMountArg("target=/x")).toEqual({ kind: "volume", destination: "/x", readonly: false, nocopy: false });
    expect(parseMountArg('type=bind,"source=/a,b",dst=/y,ro=true,bind-propagation=rshared')).toEqual({
      kind: "bind", createSource: false, entry: { destination: "/y", type: "bind", source: "/a,b", options: ["rbind", "ro", "rshared"] },
    });
    expect(parseMountArg("type=bind,src=/a,target=/b,bind-nonrecursive").kind === "bind" && (parseMountArg("type=bind,src=/a,target=/b,bind-nonrecursive") as { entry: { options: string[] } }).entry.options[0]).toBe("bind");
    expect(parseMountArg("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=700,readonly")).toMatchObject({ entry: { options: ["noexec", "nosuid", "nodev", "ro", "size=67108864", "mode=700"] } });
    expect(() => parseMountArg("type=tmpfs,target=/t,tmpfs-mode=9")).toThrow("invalid value for tmpfs-mode: 9");
    expect(() => parseMountArg("TYPE=bind,src=/a")).toThrow("target is required");
  });
});
