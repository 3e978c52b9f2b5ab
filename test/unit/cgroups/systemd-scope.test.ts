// The systemd scope client against a scripted systemd: what it sends (auth line, Hello and match
// rule through a broker, Subscribe, StartTransientUnit's properties), how it waits for the job
// (JobRemoved before or after the reply, among other signals), and the one-line errors it gives
// for systemd's refusals, failed jobs, silence and hang-ups. No socket, no root.
import { describe, expect, test } from "bun:test";
import { decodeMessage, encodeMessage, messageSize, MessageType, variant, type Message } from "../../../src/cgroups/systemd/dbus-wire.ts";
import type { ByteStream } from "../../../src/cgroups/systemd/dbus-connection.ts";
import { connectSystemd, systemBusSocket } from "../../../src/cgroups/systemd/bus.ts";
import { externalAuthId } from "../../../src/cgroups/systemd/dbus-auth.ts";
import { scopeProperties, startScope, stopUnit, systemdRunning, SystemdError } from "../../../src/cgroups/systemd/scope.ts";
import { cpuMask, parseCpuList, unitProperties } from "../../../src/cgroups/systemd/properties.ts";

const GUID = "0123456789abcdef0123456789abcdef";
type Reply = Omit<Message, "serial">;
type Script = (call: Message, ctx: { replyTo: (body?: unknown[], sig?: string) => Reply }) => Reply[];

/** A peer that authenticates us, then answers each method call with the messages `script` gives. */
function fakePeer(script: Script, opts: { authReply?: string; chunk?: number } = {}) {
  const calls: Message[] = [];
  let out = new Uint8Array(0);
  let inBuf = new Uint8Array(0);
  let phase: "auth" | "begin" | "binary" = "auth";
  let serial = 1000;
  let closed = false;
  const push = (b: Uint8Array) => {
    out = new Uint8Array([...out, ...b]);
  };
  const writes: string[] = [];
  const stream: ByteStream = {
    write(data) {
      writes.push(Buffer.from(data).toString("latin1"));
      inBuf = new Uint8Array([...inBuf, ...data]);
      for (;;) {
        if (phase !== "binary") {
          const text = Buffer.from(inBuf).toString("latin1");
          const end = text.indexOf("\r\n");
          if (end < 0) return;
          const line = text.slice(0, end);
          inBuf = inBuf.subarray(end + 2);
          if (phase === "auth") {
            expect(line).toMatch(/^\0AUTH EXTERNAL [0-9a-f]+$/);
            push(Buffer.from(`${opts.authReply ?? `OK ${GUID}`}\r\n`));
            phase = "begin";
          } else if (line === "BEGIN") phase = "binary";
          continue;
        }
        const size = messageSize(inBuf);
        if (size === undefined || inBuf.length < size) return;
        const m = decodeMessage(inBuf);
        inBuf = inBuf.subarray(size);
        calls.push(m);
        const replyTo = (body: unknown[] = [], sig = ""): Reply => ({
          type: MessageType.MethodReturn, replySerial: m.serial, signature: sig, body: body as Message["body"],
        });
        for (const r of script(m, { replyTo })) push(encodeMessage({ ...r, serial: ++serial }));
      }
    },
    read() {
      if (closed || out.length === 0) return null; // nothing more is coming: a timeout, at once
      const n = Math.min(out.length, opts.chunk ?? 7); // small pieces: messages split across reads
      const piece = out.slice(0, n);
      out = out.subarray(n);
      return piece;
    },
    close() {
      closed = true;
    },
  };
  return { stream, calls, writes, hangUp: () => (closed = true) };
}

const M = "org.freedesktop.systemd1.Manager";
const jobRemoved = (id: number, unit: string, result = "done"): Reply => ({
  type: MessageType.Signal, path: "/org/freedesktop/systemd1", interface: M, member: "JobRemoved",
  signature: "uoss", body: [id, `/org/freedesktop/systemd1/job/${id}`, unit, result],
});
const unitNew = (unit: string): Reply => ({
  type: MessageType.Signal, path: "/org/freedesktop/systemd1", interface: M, member: "UnitNew",
  signature: "so", body: [unit, "/org/freedesktop/systemd1/unit/x"],
});
const error = (m: Message, name: string, text: string): Reply => ({
  type: MessageType.Error, replySerial: m.serial, errorName: name, signature: "s", body: [text],
});

/** systemd as it answers a scope's start; `order` puts JobRemoved before or after the reply. */
function systemd(opts: { order?: "signal-first" | "reply-first"; result?: string; startError?: [string, string]; noSignal?: boolean } = {}): Script {
  return (m, { replyTo }) => {
    switch (m.member) {
      case "Subscribe":
        return [replyTo()];
      case "StartTransientUnit":
      case "StopUnit": {
        const unit = m.body![0] as string;
        if (opts.startError) return [error(m, ...opts.startError)];
        const reply = replyTo(["/org/freedesktop/systemd1/job/7"], "o");
        // Another job finishing first, and a signal we never asked about
        const noise = [unitNew(unit), jobRemoved(6, "other.service")];
        const done = opts.noSignal ? [] : [jobRemoved(7, unit, opts.result)];
        return opts.order === "reply-first" ? [reply, ...noise, ...done] : [...noise, ...done, reply];
      }
      case "GetUnit":
        return [replyTo(["/org/freedesktop/systemd1/unit/bunbox_2d1_2escope"], "o")];
      case "Get":
        return [replyTo([variant("s", "/bunbox.slice/bunbox-1.scope")], "v")];
      default:
        return [error(m, "org.freedesktop.DBus.Error.UnknownMethod", `no ${m.member}`)];
    }
  };
}

const connectTo = (peer: ReturnType<typeof fakePeer>, uid = 0, socket = "/run/systemd/private") =>
  connectSystemd({ uid, socket, open: () => peer.stream, timeoutMs: 50 });

const opts = { unit: "bunbox-1.scope", slice: "bunbox.slice", pids: [4242], description: "bunbox container 1" };

describe("startScope", () => {
  for (const order of ["signal-first", "reply-first"] as const) {
    test(`waits for its job's JobRemoved (${order}) and returns the cgroup`, () => {
      const peer = fakePeer(systemd({ order }));
      expect(startScope(opts, connectTo(peer))).toBe("/bunbox.slice/bunbox-1.scope");
      expect(peer.calls.map((c) => c.member)).toEqual(["Subscribe", "StartTransientUnit", "GetUnit", "Get"]);
      const start = peer.calls[1]!;
      expect([start.destination, start.path, start.interface, start.signature]).toEqual([
        "org.freedesktop.systemd1", "/org/freedesktop/systemd1", M, "ssa(sv)a(sa(sv))",
      ]);
      expect(start.body!.slice(0, 2)).toEqual(["bunbox-1.scope", "fail"]);
      expect(start.body![3]).toEqual([]);
      const get = peer.calls[3]!;
      expect([get.path, get.interface, get.body]).toEqual([
        "/org/freedesktop/systemd1/unit/bunbox_2d1_2escope", "org.freedesktop.DBus.Properties",
        ["org.freedesktop.systemd1.Scope", "ControlGroup"],
      ]);
    });
  }

  test("the properties: description, slice, pids, Delegate, CollectMode, then limits", () => {
    const peer = fakePeer(systemd());
    startScope({ ...opts, resources: { memoryMax: 64 << 20, tasksMax: 32n, allowedCPUs: [0, 9] } }, connectTo(peer));
    expect(peer.calls[1]!.body![2]).toEqual([
      ["Description", variant("s", "bunbox container 1")],
      ["Slice", variant("s", "bunbox.slice")],
      ["PIDs", variant("au", [4242])],
      ["Delegate", variant("b", true)],
      ["CollectMode", variant("s", "inactive-or-failed")],
      ["MemoryMax", variant("t", 67108864n)],
      ["TasksMax", variant("t", 32n)],
      ["AllowedCPUs", variant("ay", [1, 2])],
    ]);
  });

  test("systemd's refusal: one line with the unit and the error name", () => {
    const peer = fakePeer(systemd({ startError: ["org.freedesktop.systemd1.UnitExists", "Unit bunbox-1.scope was already loaded or has a fragment file."] }));
    let err: SystemdError | undefined;
    try {
      startScope(opts, connectTo(peer));
    } catch (e) {
      err = e as SystemdError;
    }
    expect(err).toBeInstanceOf(SystemdError);
    expect(err!.message).toBe(
      "systemd: cannot start bunbox-1.scope: org.freedesktop.systemd1.UnitExists: Unit bunbox-1.scope was already loaded or has a fragment file.",
    );
    expect([err!.unit, err!.errorName]).toEqual(["bunbox-1.scope", "org.freedesktop.systemd1.UnitExists"]);
  });

  test("a job that did not end 'done'", () => {
    const peer = fakePeer(systemd({ result: "failed" }));
    expect(() => startScope(opts, connectTo(peer))).toThrow('systemd: cannot start bunbox-1.scope: its start job ended "failed"');
  });

  test("no JobRemoved: a timeout naming the job, not a hang", () => {
    const peer = fakePeer(systemd({ noSignal: true }));
    expect(() => startScope(opts, connectTo(peer))).toThrow(
      /^systemd: cannot start bunbox-1.scope: org.freedesktop.DBus.Error.NoReply: no JobRemoved for \/org\/freedesktop\/systemd1\/job\/7 \(bunbox-1.scope\) within 0.05 s$/,
    );
  });

  test("systemd hanging up mid-call", () => {
    const peer = fakePeer((m, { replyTo }) => {
      if (m.member === "Subscribe") return [replyTo()];
      peer.hangUp();
      return [];
    });
    const bus = connectTo(peer);
    expect(() => startScope(opts, bus)).toThrow(/cannot start bunbox-1.scope: org.freedesktop.DBus.Error/);
  });

  test("bad names and no pids are refused before anything is sent", () => {
    expect(() => scopeProperties({ ...opts, unit: "bunbox-1" })).toThrow('invalid scope name "bunbox-1"');
    expect(() => scopeProperties({ ...opts, unit: "a/b.scope" })).toThrow("invalid scope name");
    expect(() => scopeProperties({ ...opts, slice: "bunbox" })).toThrow('invalid slice name "bunbox"');
    expect(() => scopeProperties({ ...opts, pids: [] })).toThrow("needs at least one pid");
  });
});

describe("stopUnit", () => {
  test("StopUnit(name, replace), then its job", () => {
    const peer = fakePeer(systemd());
    stopUnit("bunbox-1.scope", connectTo(peer));
    expect(peer.calls.map((c) => [c.member, c.body])).toEqual([
      ["Subscribe", []],
      ["StopUnit", ["bunbox-1.scope", "replace"]],
    ]);
  });

  test("a unit that does not exist is already stopped", () => {
    const peer = fakePeer(systemd({ startError: ["org.freedesktop.systemd1.NoSuchUnit", "Unit bunbox-1.scope not loaded."] }));
    expect(() => stopUnit("bunbox-1.scope", connectTo(peer))).not.toThrow();
  });

  test("other refusals are errors", () => {
    const peer = fakePeer(systemd({ startError: ["org.freedesktop.DBus.Error.AccessDenied", "Access denied"] }));
    expect(() => stopUnit("bunbox-1.scope", connectTo(peer))).toThrow(
      "systemd: cannot stop bunbox-1.scope: org.freedesktop.DBus.Error.AccessDenied: Access denied",
    );
  });
});

describe("connecting", () => {
  test("the private socket: EXTERNAL auth as uid 0 with BEGIN in the same write, no Hello", () => {
    const peer = fakePeer(systemd());
    const bus = connectTo(peer);
    expect([bus.viaBroker, peer.calls.length]).toEqual([false, 0]);
    // Never BEGIN beside the first message: systemd 252 may then leave that message unread
    expect(peer.writes).toEqual(["\0AUTH EXTERNAL 30\r\nBEGIN\r\n"]);
    expect(externalAuthId(0)).toBe("30");
    expect(externalAuthId(1000)).toBe("31303030");
  });

  test("through the system bus: Hello, then a match rule for JobRemoved", () => {
    const peer = fakePeer((m, { replyTo }) =>
      m.member === "Hello" ? [replyTo([":1.42"], "s")] : m.member === "AddMatch" ? [replyTo()] : systemd()(m, { replyTo }),
    );
    const bus = connectTo(peer, 1000, "/run/dbus/system_bus_socket");
    expect(bus.viaBroker).toBe(true);
    expect(peer.calls.map((c) => [c.destination, c.member])).toEqual([
      ["org.freedesktop.DBus", "Hello"],
      ["org.freedesktop.DBus", "AddMatch"],
    ]);
    expect(peer.calls[1]!.body![0]).toBe(
      "type='signal',sender='org.freedesktop.systemd1',path='/org/freedesktop/systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'",
    );
    expect(startScope(opts, bus)).toBe("/bunbox.slice/bunbox-1.scope");
  });

  test("a call from the peer while we wait gets UnknownMethod; our reply still comes", () => {
    const peer = fakePeer((m, { replyTo }) => {
      if (m.type !== MessageType.MethodCall || m.member !== "Subscribe") return [];
      const ping: Reply = { type: MessageType.MethodCall, path: "/", interface: "org.freedesktop.DBus.Peer", member: "Ping" };
      return [ping, replyTo()];
    });
    const bus = connectTo(peer);
    expect(bus.conn.call({ destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1", interface: M, member: "Subscribe" })).toEqual([]);
    const answer = peer.calls.find((c) => c.type === MessageType.Error)!;
    expect([answer.errorName, answer.replySerial]).toEqual(["org.freedesktop.DBus.Error.UnknownMethod", 1001]);
    bus.conn.close();
    expect(() => bus.conn.call({ path: "/", interface: "a.b", member: "C" })).toThrow("org.freedesktop.DBus.Error.Disconnected: the connection is closed");
  });

  test("a refused authentication", () => {
    const peer = fakePeer(systemd(), { authReply: "REJECTED EXTERNAL" });
    expect(() => connectTo(peer, 1000)).toThrow('dbus: authentication as uid 1000 refused: "REJECTED EXTERNAL"');
  });

  test("the system bus address from the environment", () => {
    expect(systemBusSocket({})).toBe("/run/dbus/system_bus_socket");
    expect(systemBusSocket({ DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/x/bus%20s" })).toBe("/x/bus s");
    expect(systemBusSocket({ DBUS_SYSTEM_BUS_ADDRESS: "tcp:host=a;unix:guid=1,path=/y" })).toBe("/y");
  });

  test("sd_booted", () => {
    expect(systemdRunning((p) => p === "/run/systemd/system")).toBe(true);
    expect(systemdRunning(() => false)).toBe(false);
  });
});

describe("resource properties", () => {
  test("each limit to its unit property", () => {
    expect(
      unitProperties({
        memoryMax: 1n, memoryHigh: 2, memoryLow: 3, memorySwapMax: 0, tasksMax: 64, cpuQuotaPerSecUSec: 500000,
        cpuQuotaPeriodUSec: 100000, cpuWeight: 100, ioWeight: 50, allowedMemoryNodes: [0],
      }).map(([k, v]) => `${k}=${v.sig}:${v.value}`),
    ).toEqual([
      "MemoryMax=t:1", "MemoryHigh=t:2", "MemoryLow=t:3", "MemorySwapMax=t:0", "TasksMax=t:64",
      "CPUQuotaPerSecUSec=t:500000", "CPUQuotaPeriodUSec=t:100000", "CPUWeight=t:100", "IOWeight=t:50",
      "AllowedMemoryNodes=ay:1",
    ]);
    expect(() => unitProperties({ memoryMax: -1 })).toThrow("MemoryMax must be a whole number");
    expect(() => unitProperties({ tasksMax: 1.5 })).toThrow("TasksMax");
  });

  test("CPU sets: systemd's bitmask, least significant bit first", () => {
    expect(cpuMask([0])).toEqual([1]);
    expect(cpuMask([0, 1, 2, 9])).toEqual([7, 2]);
    expect(cpuMask([15])).toEqual([0, 0x80]);
    expect(parseCpuList("0-2,9")).toEqual([0, 1, 2, 9]);
    expect(parseCpuList(" 3 ")).toEqual([3]);
    expect(() => parseCpuList("2-1")).toThrow('invalid CPU list "2-1"');
    expect(() => parseCpuList("a")).toThrow("invalid CPU list");
  });
});
