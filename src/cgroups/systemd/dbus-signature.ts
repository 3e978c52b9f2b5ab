// D-Bus type signatures (D-Bus specification, "Type System"), parsed once into a tree that the
// marshaller and the unmarshaller walk. Pure. A signature comes from our own code when we send
// and from the peer when we receive, so every rule the spec states is checked here: a bad one
// is a DBusWireError, never an exception from deep inside a reader.
import { BunboxError } from "../../errors.ts";

export class DBusWireError extends BunboxError {
  constructor(message: string) {
    super(`dbus: ${message}`);
  }
}

export type BasicCode = "y" | "b" | "n" | "q" | "i" | "u" | "x" | "t" | "d" | "s" | "o" | "g" | "h";

export type DBusType =
  | { kind: "basic"; code: BasicCode; sig: string }
  | { kind: "array"; elem: DBusType; sig: string }
  | { kind: "struct"; fields: DBusType[]; sig: string }
  /** An array of dict entries, a{kv}: one node for the array and its entry type. */
  | { kind: "dict"; key: DBusType; value: DBusType; sig: string }
  | { kind: "variant"; sig: string };

const BASIC = "ybnqiuxtdsogh";
// The spec's limits: 255 bytes, and at most 32 nested arrays and 32 nested structs
const MAX_SIGNATURE = 255;
const MAX_DEPTH = 32;

/** Alignment of a type's marshalled form: its start is padded to a multiple of this. */
export function alignment(t: DBusType): number {
  switch (t.kind) {
    case "array":
    case "dict": // the whole a{…}: a u32 length first (its entries start at multiples of 8)
      return 4;
    case "struct":
      return 8;
    case "variant":
      return 1;
    case "basic":
      return BASIC_ALIGN[t.code];
  }
}

const BASIC_ALIGN: Record<BasicCode, number> = {
  y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, s: 4, o: 4, g: 1, h: 4,
};

/** The complete types of a signature, in order ("" gives none). */
export function parseSignature(sig: string): DBusType[] {
  if (sig.length > MAX_SIGNATURE) throw new DBusWireError(`signature longer than ${MAX_SIGNATURE} bytes`);
  const out: DBusType[] = [];
  let pos = 0;
  const fail = (why: string): never => {
    throw new DBusWireError(`invalid signature "${sig}": ${why}`);
  };
  const one = (arrays: number, structs: number): DBusType => {
    const start = pos;
    const c = sig[pos++];
    if (c === undefined) return fail("ends inside a container type");
    if (BASIC.includes(c)) return { kind: "basic", code: c as BasicCode, sig: c };
    if (c === "v") return { kind: "variant", sig: c };
    if (c === "a") {
      if (arrays + 1 > MAX_DEPTH) fail("arrays nested deeper than 32");
      if (sig[pos] === "{") {
        pos++;
        if (structs + 1 > MAX_DEPTH) fail("structs nested deeper than 32");
        const key = one(arrays + 1, structs + 1);
        if (key.kind !== "basic") fail("a dict entry's key must be a basic type");
        const value = one(arrays + 1, structs + 1);
        if (sig[pos++] !== "}") fail("a dict entry holds exactly two types");
        return { kind: "dict", key, value, sig: sig.slice(start, pos) };
      }
      const elem = one(arrays + 1, structs);
      return { kind: "array", elem, sig: sig.slice(start, pos) };
    }
    if (c === "(") {
      if (structs + 1 > MAX_DEPTH) fail("structs nested deeper than 32");
      const fields: DBusType[] = [];
      while (sig[pos] !== ")") {
        if (pos >= sig.length) fail("unclosed (");
        fields.push(one(arrays, structs + 1));
      }
      pos++;
      if (fields.length === 0) fail("empty struct ()");
      return { kind: "struct", fields, sig: sig.slice(start, pos) };
    }
    if (c === "{") return fail("a dict entry { } outside an array");
    return fail(`unknown type code '${c}' at ${start}`);
  };
  while (pos < sig.length) out.push(one(0, 0));
  return out;
}

/** One complete type (what a variant holds). */
export function parseSingle(sig: string): DBusType {
  const types = parseSignature(sig);
  if (types.length !== 1) throw new DBusWireError(`"${sig}" is not a single complete type`);
  return types[0]!;
}

const OBJECT_PATH = /^\/$|^(\/[A-Za-z0-9_]+)+$/;

export function checkObjectPath(p: string): void {
  if (!OBJECT_PATH.test(p)) throw new DBusWireError(`invalid object path "${p}"`);
}
