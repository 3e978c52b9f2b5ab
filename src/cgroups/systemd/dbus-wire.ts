// D-Bus messages to bytes and back (D-Bus specification, "Message Format"). Pure, no I/O.
// A message is a 12-byte fixed header (endianness, type, flags, version 1, body length, serial),
// an array of header fields a(yv) (path, interface, member, ...), padding to 8, then the body,
// whose signature is the SIGNATURE field. We write little-endian; we read either byte order,
// as the spec requires of a receiver.
import { DBusWireError, parseSignature } from "./dbus-signature.ts";
import { Reader, Writer, variant, type DBusValue, type Variant } from "./dbus-marshal.ts";

export { DBusWireError } from "./dbus-signature.ts";
export { variant, type DBusValue, type Variant } from "./dbus-marshal.ts";

export const MessageType = { MethodCall: 1, MethodReturn: 2, Error: 3, Signal: 4 } as const;
export const Flags = { NoReplyExpected: 1, NoAutoStart: 2, AllowInteractiveAuthorization: 4 } as const;

export interface Message {
  type: number;
  flags?: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature ("" or absent: no body). */
  signature?: string;
  unixFds?: number;
  body?: DBusValue[];
}

/** Header field codes and the one type each must carry. */
const FIELDS = [
  [1, "path", "o"],
  [2, "interface", "s"],
  [3, "member", "s"],
  [4, "errorName", "s"],
  [5, "replySerial", "u"],
  [6, "destination", "s"],
  [7, "sender", "s"],
  [8, "signature", "g"],
  [9, "unixFds", "u"],
] as const;
type FieldKey = (typeof FIELDS)[number][1];

const HEADER_FIELDS = parseSignature("a(yv)")[0]!;
// The spec's limit on a whole message
export const MAX_MESSAGE = 128 * 1024 * 1024;
const FIXED = 16; // 12 bytes, then the header fields array's length

/** The fields each message type must carry (the spec's "Message Types"). */
const REQUIRED: Record<number, FieldKey[]> = {
  [MessageType.MethodCall]: ["path", "member"],
  [MessageType.MethodReturn]: ["replySerial"],
  [MessageType.Error]: ["errorName", "replySerial"],
  [MessageType.Signal]: ["path", "interface", "member"],
};

function checkRequired(m: Message, fail: (why: string) => never): void {
  for (const k of REQUIRED[m.type] ?? []) if (m[k] === undefined) fail(`a message of type ${m.type} needs the ${k} header field`);
}

export function encodeMessage(m: Message): Uint8Array {
  const fail = (why: string): never => {
    throw new DBusWireError(`cannot encode message: ${why}`);
  };
  if (!(m.type in REQUIRED)) fail(`unknown message type ${m.type}`);
  if (!Number.isInteger(m.serial) || m.serial < 1 || m.serial > 0xffffffff) fail(`serial ${m.serial} (must be 1..2^32-1)`);
  checkRequired(m, fail);
  const sig = m.signature ?? "";
  const body = m.body ?? [];
  const types = parseSignature(sig);
  if (types.length !== body.length) fail(`signature "${sig}" has ${types.length} types but the body ${body.length} values`);

  const b = new Writer();
  types.forEach((t, i) => b.write(t, body[i]!));
  const bodyBytes = b.result();

  const fields: DBusValue[] = [];
  for (const [code, key, type] of FIELDS) {
    const v = key === "signature" ? (sig === "" ? undefined : sig) : m[key];
    if (v !== undefined) fields.push([code, variant(type, v)]);
  }
  const h = new Writer();
  h.u8(0x6c); // 'l': little-endian
  h.u8(m.type);
  h.u8(m.flags ?? 0);
  h.u8(1);
  h.u32(bodyBytes.length);
  h.u32(m.serial);
  h.write(HEADER_FIELDS, fields);
  h.pad(8);
  h.bytes(bodyBytes);
  const out = h.result();
  if (out.length > MAX_MESSAGE) fail(`${out.length} bytes (more than 128 MiB)`);
  return out;
}

/**
 * The size of the message at the start of `buf` once its first 16 bytes are there (undefined
 * before): how many bytes to wait for. Throws on a header no message can have.
 */
export function messageSize(buf: Uint8Array): number | undefined {
  if (buf.length < FIXED) return undefined;
  const little = endianness(buf);
  const v = new DataView(buf.buffer, buf.byteOffset, FIXED);
  if (buf[3] !== 1) throw new DBusWireError(`malformed message: protocol version ${buf[3]} (only 1 exists)`);
  const bodyLen = v.getUint32(4, little);
  const fieldsLen = v.getUint32(12, little);
  const size = FIXED + ((fieldsLen + 7) & ~7) + bodyLen;
  if (bodyLen > MAX_MESSAGE || fieldsLen > MAX_MESSAGE || size > MAX_MESSAGE) {
    throw new DBusWireError(`malformed message: ${size} bytes (more than 128 MiB)`);
  }
  return size;
}

function endianness(buf: Uint8Array): boolean {
  if (buf[0] === 0x6c) return true; // 'l'
  if (buf[0] === 0x42) return false; // 'B'
  throw new DBusWireError(`malformed message: endianness byte 0x${(buf[0] ?? 0).toString(16)} (neither 'l' nor 'B')`);
}

/** The message at the start of `buf` (which may hold more after it: see messageSize). */
export function decodeMessage(buf: Uint8Array): Message {
  const size = messageSize(buf);
  if (size === undefined || buf.length < size) {
    throw new DBusWireError(`malformed message: ${buf.length} bytes, ${size ?? "at least 16"} needed`);
  }
  const little = endianness(buf);
  const fail = (why: string): never => {
    throw new DBusWireError(`malformed message: ${why}`);
  };
  const v = new DataView(buf.buffer, buf.byteOffset, FIXED);
  const m: Message = { type: buf[1]!, flags: buf[2]!, serial: v.getUint32(8, little) };
  if (m.serial === 0) fail("serial 0");
  const bodyLen = v.getUint32(4, little);

  const h = new Reader(buf, 0, size - bodyLen, little);
  h.pos = 12;
  for (const f of h.read(HEADER_FIELDS) as [number, Variant][]) {
    const [code, val] = f;
    const known = FIELDS.find(([c]) => c === code);
    if (!known) continue; // unknown fields must be ignored
    if (val.sig !== known[2]) fail(`header field ${known[1]} has type '${val.sig}', not '${known[2]}'`);
    (m as unknown as Record<string, DBusValue>)[known[1]] = val.value;
  }
  h.pad(8);
  if (h.pos !== size - bodyLen) fail("header fields overrun the body");
  checkRequired(m, fail);

  const sig = m.signature ?? "";
  const types = parseSignature(sig);
  if (types.length === 0 && bodyLen !== 0) fail(`${bodyLen} body bytes but no signature`);
  const r = new Reader(buf, size - bodyLen, size, little);
  m.body = types.map((t) => r.read(t));
  if (!r.atEnd()) fail(`body longer than its signature "${sig}"`);
  return m;
}
