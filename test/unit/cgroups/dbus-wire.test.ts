// The D-Bus wire format bunbox speaks to systemd: every type round-trips, padding lands where the
// spec puts it, a Hello as libdbus writes it decodes, and broken input of every kind is a
// DBusWireError with a reason (never a RangeError from a DataView, never a hang).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  decodeMessage,
  encodeMessage,
  messageSize,
  variant,
  DBusWireError,
  MessageType,
  type DBusValue,
  type Message,
} from "../../../src/cgroups/systemd/dbus-wire.ts";
import { Writer, Reader } from "../../../src/cgroups/systemd/dbus-marshal.ts";
import { parseSignature, parseSingle } from "../../../src/cgroups/systemd/dbus-signature.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Marshal values of a signature from offset 0 (an 8-aligned message body). */
function body(sig: string, values: DBusValue[]): Uint8Array {
  const w = new Writer();
  parseSignature(sig).forEach((t, i) => w.write(t, values[i]!));
  return w.result();
}

function call(sig: string, values: DBusValue[]): Message {
  return { type: MessageType.MethodCall, serial: 42, path: "/a/b", member: "M", signature: sig, body: values };
}

const roundTrip = (m: Message) => decodeMessage(encodeMessage(m));

describe("round trips", () => {
  const cases: [string, DBusValue[]][] = [
    ["y", [0]],
    ["y", [255]],
    ["b", [true]],
    ["b", [false]],
    ["n", [-32768]],
    ["q", [65535]],
    ["i", [-2147483648]],
    ["u", [4294967295]],
    ["x", [-(1n << 63n)]],
    ["t", [(1n << 64n) - 1n]],
    ["d", [-42.5]],
    ["s", [""]],
    ["s", ["héllo wörld ✓"]],
    ["o", ["/"]],
    ["o", ["/org/freedesktop/systemd1/unit/bunbox_2dprobe_2escope"]],
    ["g", ["a(sa(sv))"]],
    ["h", [3]],
    ["ay", [[1, 2, 255]]],
    ["au", [[]]],
    ["at", [[1n, 2n]]],
    ["as", [["a", "", "ccc"]]],
    ["aas", [[["x"], [], ["y", "z"]]]],
    ["(yt)", [[7, 9n]]],
    ["a{sv}", [[["k", variant("u", 1)], ["l", variant("as", ["m"])]]]],
    ["a{yt}", [[[1, 2n]]]],
    ["v", [variant("v", variant("(ib)", [-1, true]))]],
    ["a(sv)", [[["PIDs", variant("au", [1, 2])], ["Delegate", variant("b", true)], ["MemoryMax", variant("t", 64n << 20n)]]]],
    ["a(sa(sv))", [[["x.service", [["A", variant("s", "b")]]], ["y.scope", []]]]],
    ["yyyyuua(yv)", [1, 2, 3, 4, 5, 6, [[1, variant("o", "/x")]]]],
    ["ssa(sv)a(sa(sv))", ["bunbox-1.scope", "fail", [["AllowedCPUs", variant("ay", [0b101])]], []]],
  ];
  for (const [sig, values] of cases) {
    test(`${sig} ${JSON.stringify(values, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)).slice(0, 60)}`, () => {
      expect(roundTrip(call(sig, values)).body).toEqual(values);
    });
  }

  test("every header field survives", () => {
    const m: Message = {
      type: MessageType.Error, flags: 1, serial: 9, path: "/p", interface: "i.f", member: "m",
      errorName: "org.freedesktop.systemd1.UnitExists", replySerial: 8, destination: ":1.5",
      sender: "org.freedesktop.systemd1", signature: "s", unixFds: 0, body: ["exists"],
    };
    expect(roundTrip(m)).toEqual(m);
  });

  test("several messages back to back: messageSize says where each ends", () => {
    const a = encodeMessage(call("s", ["first"]));
    const b = encodeMessage(call("at", [[5n]]));
    const both = new Uint8Array([...a, ...b]);
    expect(messageSize(both)).toBe(a.length);
    expect(decodeMessage(both).body).toEqual(["first"]);
    expect(decodeMessage(both.subarray(a.length)).body).toEqual([[5n]]);
    expect(messageSize(both.subarray(0, 15))).toBeUndefined();
  });
});

describe("alignment", () => {
  test("a byte then a uint64: seven zero bytes between", () => {
    expect(hex(body("yt", [1, 2n]))).toBe("01" + "00".repeat(7) + "0200000000000000");
  });

  test("an empty array of uint64 still pads after its length to 8", () => {
    expect(hex(body("yat", [9, []]))).toBe("09000000" + "00000000" + "");
    expect(hex(body("yaty", [9, [], 7]))).toBe("090000000000000007");
  });

  test("the array length counts element bytes, not the padding before the first", () => {
    // u32 length=8 at 0, padding 4..7, the t at 8
    expect(hex(body("at", [[1n]]))).toBe("08000000" + "00000000" + "0100000000000000");
  });

  test("struct and dict entries start at multiples of 8; a variant's value after its signature", () => {
    expect(hex(body("y(y)", [1, [2]]))).toBe("01000000000000" + "0002");
    expect(hex(body("v", [variant("u", 5)]))).toBe("01" + "75" + "00" + "00" + "05000000");
    expect(hex(body("a{yy}", [[[1, 2], [3, 4]]]))).toBe("0a000000" + "00000000" + "0102" + "000000000000" + "0304");
  });

  test("a dict array's length is 4-aligned like any array's; only its entries go to 8", () => {
    expect(hex(body("ya{yy}", [1, [[2, 3]]]))).toBe("01000000" + "02000000" + "0203");
    expect(hex(body("sa{sv}", ["ab", []]))).toBe("02000000" + "616200" + "00" + "00000000" + "00000000");
    expect(hex(body("(ya{yy})", [[1, []]]))).toBe("01000000" + "00000000");
  });

  test("a signature is a length byte, a string a u32: both NUL-terminated", () => {
    expect(hex(body("gs", ["au", "hi"]))).toBe("02" + "6175" + "00" + "02000000" + "6869" + "00");
  });

  test("the body starts at a multiple of 8 after the header fields", () => {
    const bytes = encodeMessage(call("t", [0x0102030405060708n]));
    const fieldsLen = new DataView(bytes.buffer).getUint32(12, true);
    const bodyStart = 16 + ((fieldsLen + 7) & ~7);
    expect(bodyStart % 8).toBe(0);
    expect(hex(bytes.subarray(bodyStart))).toBe("0807060504030201");
  });
});

describe("known byte sequences", () => {
  // org.freedesktop.DBus.Hello as libdbus writes it (fields path, destination, interface, member)
  const libdbusHello = Buffer.from(
    "l\x01\x00\x01\x00\x00\x00\x00\x01\x00\x00\x00n\x00\x00\x00" +
      "\x01\x01o\x00\x15\x00\x00\x00/org/freedesktop/DBus\x00\x00\x00" +
      "\x06\x01s\x00\x14\x00\x00\x00org.freedesktop.DBus\x00\x00\x00\x00" +
      "\x02\x01s\x00\x14\x00\x00\x00org.freedesktop.DBus\x00\x00\x00\x00" +
      "\x03\x01s\x00\x05\x00\x00\x00Hello\x00\x00\x00",
    "latin1",
  );

  test("libdbus's Hello decodes", () => {
    expect(messageSize(libdbusHello)).toBe(libdbusHello.length);
    expect(decodeMessage(libdbusHello)).toEqual({
      type: 1, flags: 0, serial: 1, path: "/org/freedesktop/DBus", destination: "org.freedesktop.DBus",
      interface: "org.freedesktop.DBus", member: "Hello", body: [],
    });
  });

  test("our Hello: the same fields in code order, byte for byte", () => {
    const ours = encodeMessage({
      type: 1, serial: 1, path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "Hello",
      destination: "org.freedesktop.DBus",
    });
    const field = (code: number, sig: string, s: string) => {
      const b = Buffer.alloc(8 + s.length + 1 + 7 & ~7);
      b.writeUInt8(code, 0);
      b.write(`\x01${sig}\x00`, 1, "latin1");
      b.writeUInt32LE(s.length, 4);
      b.write(s, 8, "latin1");
      return b;
    };
    const fields = Buffer.concat([
      field(1, "o", "/org/freedesktop/DBus"), field(2, "s", "org.freedesktop.DBus"),
      field(3, "s", "Hello"), field(6, "s", "org.freedesktop.DBus"),
    ]);
    const fieldsLen = fields.length - 3; // the last field's padding belongs to no field
    const fixed = Buffer.from([0x6c, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, fieldsLen, 0, 0, 0]);
    expect(hex(ours)).toBe(hex(Buffer.concat([fixed, fields])));
  });

  test("a big-endian reply decodes (a receiver must take both byte orders)", () => {
    const be = Buffer.from([
      0x42, 2, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 15,
      5, 1, 0x75, 0, 0, 0, 0, 1, // REPLY_SERIAL u 1
      8, 1, 0x67, 0, 1, 0x75, 0, 0, // SIGNATURE g "u" (+1 byte of padding to 8)
      0x01, 0x02, 0x03, 0x04,
    ]);
    expect(decodeMessage(be)).toEqual({ type: 2, flags: 0, serial: 2, replySerial: 1, signature: "u", body: [0x01020304] });
  });
});

describe("systemd 252's own bytes (fixtures/dbus, recorded in the systemd VM)", () => {
  const recorded = new Map(
    readFileSync(new URL("../../../fixtures/dbus/systemd-252-messages.txt", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(" ") as [string, string]),
  );
  const msg = (kind: string) => decodeMessage(Buffer.from(recorded.get(kind)!, "hex"));

  test("decode to what systemd meant", () => {
    expect(msg("job-reply")).toMatchObject({
      type: 2, replySerial: 2, sender: "org.freedesktop.systemd1", signature: "o", body: ["/org/freedesktop/systemd1/job/238"],
    });
    expect(msg("JobNew").body).toEqual([238, "/org/freedesktop/systemd1/job/238", "bunbox-probe.scope"]);
    expect(msg("JobRemoved")).toMatchObject({
      type: 4, path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager", member: "JobRemoved",
      body: [239, "/org/freedesktop/systemd1/job/239", "bunbox.slice", "done"],
    });
    expect(msg("UnitRemoved").body).toEqual(["bunbox-probe.scope", "/org/freedesktop/systemd1/unit/bunbox_2dprobe_2escope"]);
    // sa{sv}as: the a{sv} after a string is 4-aligned, its entries 8-aligned
    const changed = msg("PropertiesChanged");
    expect(changed.signature).toBe("sa{sv}as");
    const props = new Map(changed.body![1] as [string, { sig: string; value: unknown }][]);
    expect(props.get("ActiveState")).toEqual(variant("s", "active"));
    expect(props.get("Job")).toEqual(variant("(uo)", [0, "/"]));
    expect(props.get("ConditionResult")).toEqual(variant("b", false));
    expect(props.get("InvocationID")).toEqual(variant("ay", []));
    expect(props.get("ActivationDetails")).toEqual(variant("a(ss)", []));
    expect(changed.body![2]).toEqual(["Conditions", "Asserts"]);
  });

  test("and encode back byte for byte (sd-bus writes the fields in code order, as we do)", () => {
    for (const [kind, bytes] of recorded) expect([kind, hex(encodeMessage(msg(kind)))]).toEqual([kind, bytes]);
  });
});

describe("malformed input is a DBusWireError with a reason", () => {
  const good = encodeMessage(call("ssa(sv)a(sa(sv))", ["u.scope", "fail", [["PIDs", variant("au", [1])]], []]));

  const expectWireError = (f: () => unknown, reason?: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DBusWireError);
    if (reason) expect((err as Error).message).toMatch(reason);
  };

  test("every truncation", () => {
    for (let n = 0; n < good.length; n++) expectWireError(() => decodeMessage(good.subarray(0, n)));
  });

  test("random corruption never escapes as another error", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
    for (let i = 0; i < 3000; i++) {
      const bad = Uint8Array.from(good);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      try {
        decodeMessage(bad);
      } catch (e) {
        if (!(e instanceof DBusWireError)) throw e;
      }
    }
  });

  const patched = (at: number, ...bytes: number[]) => {
    const b = Uint8Array.from(good);
    b.set(bytes, at);
    return b;
  };

  test("header: byte order, version, serial, size", () => {
    expectWireError(() => decodeMessage(patched(0, 0x58)), /endianness byte 0x58/);
    expectWireError(() => decodeMessage(patched(3, 2)), /protocol version 2/);
    expectWireError(() => decodeMessage(patched(8, 0, 0, 0, 0)), /serial 0/);
    expectWireError(() => messageSize(patched(4, 0xff, 0xff, 0xff, 0x7f)), /more than 128 MiB/);
  });

  /** A valid message of signature `sig` whose body is replaced by `bytes`. */
  const bodyOf = (sig: string, bytes: number[]) => {
    const types = parseSignature(sig);
    const sample = (code: string): DBusValue => ({ s: "x", b: true, v: variant("y", 1), y: 1 })[code] ?? [];
    const m = encodeMessage(call(sig, types.map((t) => sample(t.sig[0]!))));
    const size = m.length;
    const bodyLen = new DataView(m.buffer).getUint32(4, true);
    const out = new Uint8Array(size - bodyLen + bytes.length);
    out.set(m.subarray(0, size - bodyLen));
    out.set(bytes, size - bodyLen);
    new DataView(out.buffer).setUint32(4, bytes.length, true);
    return out;
  };

  test("values: a boolean 2, a string without its NUL, bad UTF-8, padding not zero", () => {
    expectWireError(() => decodeMessage(bodyOf("b", [2, 0, 0, 0])), /boolean 2/);
    expectWireError(() => decodeMessage(bodyOf("s", [1, 0, 0, 0, 0x41, 0x42])), /not NUL-terminated/);
    expectWireError(() => decodeMessage(bodyOf("s", [1, 0, 0, 0, 0xff, 0])), /not valid UTF-8/);
    expectWireError(() => decodeMessage(bodyOf("at", [8, 0, 0, 0, 0, 1, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0])), /non-zero padding/);
    expectWireError(() => decodeMessage(bodyOf("ay", [9, 0, 0, 0, 7])), /more bytes needed/);
  });

  test("a variant whose signature is not one type, or unknown", () => {
    expectWireError(() => decodeMessage(bodyOf("v", [2, 0x75, 0x75, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0])), /variant: "uu" is not a single/);
    expectWireError(() => decodeMessage(bodyOf("v", [1, 0x7a, 0])), /unknown type code 'z'/);
  });

  test("variants nested 100 deep: refused at the spec's 64, no stack overflow", () => {
    const bytes: number[] = [];
    for (let i = 0; i < 100; i++) bytes.push(1, 0x76, 0);
    bytes.push(1, 0x79, 0, 5);
    expectWireError(() => decodeMessage(bodyOf("v", bytes)), /nested deeper than 64/);
  });

  test("a body with no signature, or longer than it", () => {
    expectWireError(() => decodeMessage(bodyOf("y", [1, 2])), /body longer than its signature/);
    expectWireError(() => decodeMessage(bodyOf("", [1, 2, 3, 4])), /4 body bytes but no signature/);
  });

  test("an error without its error name", () => {
    const m = encodeMessage({ type: MessageType.Signal, serial: 1, path: "/x", interface: "a.b", member: "M" });
    const asCall = Uint8Array.from(m);
    asCall[1] = MessageType.Error;
    expectWireError(() => decodeMessage(asCall), /needs the errorName header field/);
  });
});

describe("encoding refuses what the wire cannot carry", () => {
  const enc = (sig: string, v: DBusValue[]) => () => encodeMessage(call(sig, v));
  const cases: [string, DBusValue[], RegExp][] = [
    ["u", [-1], /cannot marshal -1 as 'u'/],
    ["y", [256], /as 'y'/],
    ["t", [-1n], /as 't'/],
    ["t", [1.5], /as 't'/],
    ["b", [1], /a boolean/],
    ["s", [5], /a string/],
    ["s", ["a\0b"], /NUL/],
    ["o", ["not/a/path"], /invalid object path/],
    ["o", ["/trailing/"], /invalid object path/],
    ["(ss)", [["one"]], /its 2 fields/],
    ["a{sv}", [[["k"]]], /\[key, value\] pairs/],
    ["v", [variant("uu", [1, 2] as DBusValue)], /not a single complete type/],
    ["s", [], /1 types but the body 0 values/],
  ];
  for (const [sig, v, re] of cases) test(`${sig} ${String(v)}`, () => expect(enc(sig, v)).toThrow(re));

  test("signatures: unknown codes, bare dict entries, empty structs, too deep, too long", () => {
    expect(() => parseSignature("z")).toThrow(/unknown type code 'z'/);
    expect(() => parseSignature("{sv}")).toThrow(/outside an array/);
    expect(() => parseSignature("a{vs}")).toThrow(/key must be a basic type/);
    expect(() => parseSignature("a{sss}")).toThrow(/exactly two types/);
    expect(() => parseSignature("()")).toThrow(/empty struct/);
    expect(() => parseSignature("(s")).toThrow(/unclosed/);
    expect(() => parseSignature("a")).toThrow(/ends inside/);
    expect(() => parseSignature("a".repeat(33) + "y")).toThrow(/arrays nested deeper than 32/);
    expect(() => parseSignature("(".repeat(33) + "y" + ")".repeat(33))).toThrow(/structs nested deeper than 32/);
    expect(() => parseSignature("y".repeat(256))).toThrow(/longer than 255/);
    expect(() => parseSingle("")).toThrow(/not a single complete type/);
    expect(parseSignature("a(sa(sv))").map((t) => t.sig)).toEqual(["a(sa(sv))"]);
  });

  test("a serial of 0 and a message type nobody knows", () => {
    expect(() => encodeMessage({ ...call("", []), serial: 0 })).toThrow(/serial 0/);
    expect(() => encodeMessage({ ...call("", []), type: 9 })).toThrow(/unknown message type 9/);
  });

  test("a Reader stops at its end even when the buffer goes on", () => {
    const b = body("uu", [1, 2]);
    const r = new Reader(b, 0, 4, true);
    expect(r.read(parseSingle("u"))).toBe(1);
    expect(() => r.read(parseSingle("u"))).toThrow(DBusWireError);
  });
});
