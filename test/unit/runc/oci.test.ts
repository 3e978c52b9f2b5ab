import { describe, expect, test, afterAll } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { OciStore, checkId, type OciRecord } from "../../../src/runtime/oci/state.ts";
import { processStartTime } from "../../../src/state/proc.ts";
import { logError } from "../../../src/cli/runc/index.ts";
import { exampleSpec } from "../../../src/cli/runc/spec.ts";
import { parseBytes } from "../../../src/cli/runc/update.ts";
import { parseSpec } from "../../../src/config/schema.ts";
import { planInit } from "../../../src/runtime/plan.ts";
import { capMask, unheldCapabilities } from "../../../src/linux/process/capabilities.ts";
import { mountsAt } from "../../../src/runtime/oci/host-root.ts";

const tmp = mkdtempSync(`${tmpdir()}/bunbox-runc-unit-`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("container ids", () => {
  test("runc's pattern", () => {
    expect(checkId("abc-1_2.3+4")).toBe("abc-1_2.3+4");
    expect(() => checkId("a/b")).toThrow("invalid container id format: a/b");
    expect(() => checkId("..")).toThrow("invalid container id format");
    expect(() => checkId("")).toThrow("container id cannot be empty");
  });
});

describe("status from facts", () => {
  const store = new OciStore(`${tmp}/root`);
  const rec = (over: Partial<OciRecord>): OciRecord => ({ id: "c", bundle: "/b", rootfs: "/b/rootfs", created: "2024-01-01T00:00:00Z", annotations: {}, ociVersion: "1.2.0", cgroupDirs: [], ...over });
  test("no pid yet: creating; a dead pid: stopped (pid 0 in state)", () => {
    expect(store.status(rec({}))).toBe("creating");
    expect(store.state(rec({ pid: 999999999, startTime: 1 }))).toMatchObject({ status: "stopped", pid: 0 });
  });
  test("alive with the exec fifo: created; without: running; frozen: paused", () => {
    store.claim("c");
    const me = rec({ pid: process.pid, startTime: processStartTime(process.pid) });
    writeFileSync(store.execFifo("c"), "");
    expect(store.status(me)).toBe("created");
    rmSync(store.execFifo("c"));
    expect(store.status(me)).toBe("running");
    const freezer = `${tmp}/cg/freezer/docker/c`;
    mkdirSync(freezer, { recursive: true });
    writeFileSync(`${freezer}/freezer.state`, "FROZEN\n");
    expect(store.status({ ...me, cgroupDirs: [freezer] })).toBe("paused");
    expect(() => store.claim("c")).toThrow("container with given ID already exists");
  });
  test("state JSON has the engine contract's keys", () => {
    const s = store.state(rec({ pid: process.pid, startTime: processStartTime(process.pid), annotations: { a: "b" } }));
    expect(Object.keys(s)).toEqual(["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner", "annotations"]);
  });
  test("an unknown id: runc's words", () => {
    expect(() => store.get("nope")).toThrow("container does not exist");
  });
});

describe("update", () => {
  test("update's byte sizes", () => {
    expect(parseBytes("64m")).toBe(67108864);
    expect(parseBytes("1g")).toBe(1073741824);
    expect(parseBytes("-1")).toBe(-1);
    expect(() => parseBytes("lots")).toThrow();
  });
});

describe("--log", () => {
  test("JSON lines {level, msg, time} with --log-format json", () => {
    const log = `${tmp}/log.json`;
    logError({ root: "/r", log, logFormat: "json", debug: false, systemdCgroup: false }, 'exec: "x": executable file not found in $PATH');
    const line = JSON.parse(readFileSync(log, "utf8").trim());
    expect(line).toEqual({ level: "error", msg: 'exec: "x": executable file not found in $PATH', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
  });
});

describe("spec and plan", () => {
  test("runc spec's example (and --rootless) validates", () => {
    expect(() => parseSpec(exampleSpec(false))).not.toThrow();
    expect(() => parseSpec(exampleSpec(true))).not.toThrow();
  });
  const cgroups = { unified: true, unifiedDir: "", v1: [] };
  test("a terminal with a console socket: the pty is opened inside, after the filesystem is done", () => {
    const spec = parseSpec(exampleSpec(false));
    const kinds = planInit(spec, { cgroups }, undefined, { console: true }).map((s) => s.kind);
    expect(kinds).toContain("console");
    expect(kinds.indexOf("console")).toBeGreaterThan(kinds.lastIndexOf("pivot-root"));
    expect(kinds.indexOf("console")).toBeLessThan(kinds.indexOf("controlling-tty"));
    expect(planInit(spec, { cgroups }).map((s) => s.kind)).not.toContain("console");
  });
  test("namespaces with a path are joined before the others are made, and lo is left alone", () => {
    const spec = parseSpec({ ...exampleSpec(false), linux: { namespaces: [{ type: "network", path: "/proc/1/ns/net" }, { type: "uts" }, { type: "mount" }] } });
    const steps = planInit(spec, { cgroups });
    expect(steps[0]).toMatchObject({ kind: "join-namespaces", namespaces: [{ type: "network", path: "/proc/1/ns/net" }] });
    expect(steps[1]).toMatchObject({ kind: "unshare" });
    expect(steps.some((s) => s.kind === "interface-up")).toBe(false);
  });
});

describe("what bunbox cannot apply (issue 17)", () => {
  test("capabilities bunbox does not hold, among those the kernel knows", () => {
    const held = capMask(["CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"]);
    expect(unheldCapabilities({ bounding: ["CAP_CHOWN", "CAP_SYS_RESOURCE"], ambient: ["CAP_KILL"], effective: ["CAP_NET_RAW"] }, held, 40)).toEqual(["CAP_NET_RAW", "CAP_SYS_RESOURCE"]);
    // CAP_CHECKPOINT_RESTORE (40) on a kernel whose last is 39: not the kernel's, not refused here
    expect(unheldCapabilities({ bounding: ["CAP_CHECKPOINT_RESTORE"] }, held, 39)).toEqual([]);
  });
  test("mounts stacked on the root path, read from mountinfo (octal escapes)", () => {
    const info = ["36 35 0:1 / /tmp/b\\040x/rootfs rw - ext4 a rw", "37 36 0:1 / /tmp/b\\040x/rootfs rw - ext4 a rw", "38 37 0:2 / /tmp/b\\040x/rootfs/proc rw - proc proc rw"].join("\n");
    expect(mountsAt("/tmp/b x/rootfs", info)).toBe(2);
    expect(mountsAt("/tmp/b x", info)).toBe(0);
  });
});
