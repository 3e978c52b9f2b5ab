// An attached run's cgroup made before its flags are read (runtime/early-cgroup.ts), without root:
// a fake v1 cgroupfs in a temp dir, the recording fake of Sys (its writeInBackground records the
// move made from a glibc thread), and an init stand-in that keeps what it is sent.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Subprocess } from "bun";
import { FakeSys } from "../../fake-sys.ts";
import { startEarlyCgroup, takeEarlyCgroup, moveDone, abandonEarlyCgroup, earlyCgroupFits } from "../../../src/runtime/early-cgroup.ts";
import { startCgroup } from "../../../src/runtime/create.ts";
import type { SpawnedInit } from "../../../src/runtime/spawn-init.ts";
import type { SyncChannel } from "../../../src/runtime/sync.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { DEVICE_RULES, defaultCgroupOf } from "../../../src/config/docker-defaults.ts";

const ID = "e4".padEnd(64, "1");
let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A host of `ctrls` v1 hierarchies (or one v2), this process at their roots. */
function layout(ctrls: string[], v2 = false) {
  root = mkdtempSync(`${tmpdir()}/cg-early-`);
  if (v2) {
    mkdirSync(`${root}/sys/fs/cgroup`, { recursive: true });
    return parseCgroupHost("30 1 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n");
  }
  for (const c of ctrls) mkdirSync(`${root}/sys/fs/cgroup/${c}`, { recursive: true });
  const mountinfo = ctrls.map((c, i) => `${30 + i} 1 0:${30 + i} / /sys/fs/cgroup/${c} rw - cgroup cgroup rw,${c}`).join("\n") + "\n";
  return parseCgroupHost(mountinfo, ctrls.map((c, i) => `${i + 1}:${c}:/`).join("\n") + "\n");
}

/** The init as early-cgroup.ts sees it: what it is sent, and whether it was killed (then it has exited). */
function standIn() {
  const sent: unknown[] = [], events: string[] = [];
  const channel = { send: (m: unknown) => sent.push(m), close: () => events.push("closed") } as unknown as SyncChannel;
  const proc = { pid: 4242, kill: (sig: number) => events.push(`kill ${sig}`), exited: Promise.resolve(137) } as unknown as Subprocess;
  return { init: { proc, channel } as SpawnedInit, sent, events };
}

describe("the early cgroup of an attached run", () => {
  test("v1: every directory and the device rules first, then one move from a glibc thread, and the init told to make the rest", async () => {
    const host = layout(["devices", "memory", "pids"]);
    const sys = new FakeSys(), { init, sent } = standIn();
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    const dir = (c: string) => `${root}/sys/fs/cgroup/${c}/bunbox/${ID}`;
    // (one open for the run of rules: in a plain file they follow each other)
    expect(readFileSync(`${dir("devices")}/devices.allow`, "utf8")).toBe("c *:* mb *:* mc 1:3 rwmc 1:5 rwmc 1:7 rwmc 1:8 rwmc 1:9 rwmc 5:0 rwmc 5:1 rwmc 5:2 rwmc 136:* rwm");
    expect(readFileSync(`${dir("devices")}/devices.deny`, "utf8")).toBe("a");
    // Its processes live below the device rules: the leaf is made after them, and moved into
    expect(existsSync(`${dir("devices")}/container`)).toBe(true);
    expect(sys.of("writeInBackground").map((c) => c.args)).toEqual([[`${dir("devices")}/container/cgroup.procs`, "4242"]]);
    expect(sent).toEqual([{ type: "join-cgroup", procs: [`${dir("memory")}/cgroup.procs`, `${dir("pids")}/cgroup.procs`] }]);
    expect(init.early).toMatchObject({ id: ID, cgroupsPath: `bunbox/${ID}` });
    expect(init.moving?.first).toBe(`${dir("devices")}/container/cgroup.procs`);
    // No limit yet: they are written when the flags are known (create.ts startCgroup)
    expect(existsSync(`${dir("memory")}/memory.limit_in_bytes`)).toBe(false);
  });

  test("the container's creation takes it over only as the flags ask for it, and waits for the move before the plan", async () => {
    const host = layout(["memory"]);
    const sys = new FakeSys(), { init } = standIn();
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    expect(() => takeEarlyCgroup(init, { cgroupsPath: `other/${ID}`, resources: { devices: DEVICE_RULES } })).toThrow(/not the one they ask for/);
    const cgroup = takeEarlyCgroup(init, { cgroupsPath: `bunbox/${ID}`, resources: { devices: DEVICE_RULES } });
    expect(cgroup?.dirs).toEqual([`${root}/sys/fs/cgroup/memory/bunbox/${ID}`]);
    // Taken once; a failed run afterwards leaves it to the creation's own undo
    expect(takeEarlyCgroup(init, { cgroupsPath: `bunbox/${ID}`, resources: { devices: DEVICE_RULES } })).toBeUndefined();
    expect(() => moveDone(init)).not.toThrow();
  });

  test("a move the kernel refused is one error naming the file, and a run that fails first ends the init, then removes the cgroup", async () => {
    const host = layout(["pids"]);
    const sys = new FakeSys(), { init, events } = standIn();
    sys.fail("writeInBackground", "ESRCH");
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    expect(() => moveDone(init)).toThrow(`cannot move the container's init into its cgroup: write ${root}/sys/fs/cgroup/pids/bunbox/${ID}/cgroup.procs: ESRCH`);
    await abandonEarlyCgroup(init);
    expect(events).toEqual(["closed", "kill 9"]);
    expect(existsSync(`${root}/sys/fs/cgroup/pids/bunbox`)).toBe(false);
    // Once: a second undo does nothing
    await abandonEarlyCgroup(init);
    expect(events.length).toBe(2);
  });

  test("a limit that cannot be written leaves it untaken: the run's end ends the init, then removes the cgroup", async () => {
    const host = layout(["memory"]);
    const sys = new FakeSys(), { init, events } = standIn();
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    const dir = `${root}/sys/fs/cgroup/memory/bunbox/${ID}`;
    // A directory where the limit's file is: the write fails (EISDIR)
    mkdirSync(`${dir}/memory.limit_in_bytes`);
    const linux = { cgroupsPath: `bunbox/${ID}`, resources: { devices: DEVICE_RULES, memory: { limit: 64 << 20 } } };
    expect(() => startCgroup(linux, init, { sys, cgroupHost: host, cgroupRoot: root })).toThrow(/memory/);
    expect(init.early?.taken).toBeUndefined();
    rmSync(`${dir}/memory.limit_in_bytes`, { recursive: true });
    await abandonEarlyCgroup(init);
    expect(events).toEqual(["closed", "kill 9"]);
    expect(existsSync(dir)).toBe(false);
  });

  test("a cgroup that is there already (another container's) is not taken over: nothing early, nothing of it touched, nothing left", async () => {
    const host = layout(["devices", "memory", "pids"]);
    const sys = new FakeSys(), { init, sent } = standIn();
    const theirs = `${root}/sys/fs/cgroup/memory/bunbox/${ID}`;
    mkdirSync(theirs, { recursive: true });
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    expect([init.early, sent, sys.of("writeInBackground")]).toEqual([undefined, [], []]);
    expect(readdirSync(theirs)).toEqual([]);
    // The devices hierarchy's directory, made before the memory one was found, is removed again
    expect(existsSync(`${root}/sys/fs/cgroup/devices/bunbox/${ID}`)).toBe(false);
    expect(existsSync(`${root}/sys/fs/cgroup/pids/bunbox/${ID}`)).toBe(false);
  });

  test("device rules fit when they write the same lines, whatever their keys' order or spelled-out defaults", async () => {
    const host = layout(["memory"]);
    const sys = new FakeSys(), { init } = standIn();
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, { cgroupsPath: `x/${ID}`, devices: [{ access: "rwm", allow: false }, { allow: true, type: "c", major: 1, minor: 3 }] });
    const fits = (devices: unknown[], cgroupsPath = `x/${ID}`) => earlyCgroupFits(init.early!, { cgroupsPath, resources: { devices: devices as never } });
    expect(fits([{ allow: false, type: "a" }, { allow: true, type: "c", major: 1, minor: 3, access: "rwm" }])).toBe(true);
    expect(fits([{ allow: false }, { allow: true, type: "c", major: 1, minor: 3, access: "rw" }])).toBe(false);
    expect(fits([{ allow: false }])).toBe(false);
    expect(fits([{ allow: false }, { allow: true, type: "c", major: 1, minor: 3 }], `y/${ID}`)).toBe(false);
  });

  test("v2: nothing early (enabling controllers takes the mutex the move holds): the run makes it from the flags", async () => {
    const host = layout([], true);
    const sys = new FakeSys(), { init, sent } = standIn();
    await startEarlyCgroup(init, ID, { sys, cgroupHost: host, cgroupRoot: root }, defaultCgroupOf(ID));
    expect([init.early, sent, sys.of("writeInBackground")]).toEqual([undefined, [], []]);
    expect(existsSync(`${root}/sys/fs/cgroup/bunbox`)).toBe(false);
  });
});
