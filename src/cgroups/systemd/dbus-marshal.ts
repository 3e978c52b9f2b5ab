// D-Bus values to bytes and back (D-Bus specification, "Marshaling (Wire Format)"). Pure.
// Every value starts at a multiple of its type's alignment, counted from the start of the
// message; callers start a Writer or Reader at an 8-aligned offset so that counting from 0 gives
// the same padding. Values in TypeScript:
//   y n q i u h d → number      x t → bigint (a safe-integer number is accepted when writing)
//   b → boolean                 s o g → string
//   a… → array; a{kv} → array of [key, value]; ( … ) → array of its fields
//   v → { sig, value } (see variant())
import { DBusWireError, alignment, parseSignature, parseSingle, checkObjectPath, type DBusType } from "./dbus-signature.ts";

export interface Variant {
  sig: string;
  value: DBusValue;
}
export type DBusValue = number | bigint | boolean | string | Variant | DBusValue[];

export const variant = (sig: string, value: DBusValue): Variant => ({ sig, value });

// The spec's limits: an array's data at most 64 MiB; values nest at most 64 deep (variants count)
const MAX_ARRAY = 64 * 1024 * 1024;
const MAX_NESTING = 64;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

const INT_RANGE: Record<string, [number, number]> = {
  y: [0, 0xff], n: [-0x8000, 0x7fff], q: [0, 0xffff], i: [-0x80000000, 0x7fffffff],
  u: [0, 0xffffffff], h: [0, 0xffffffff],
};
const BIG_RANGE: Record<string, [bigint, bigint]> = {
  x: [-(1n << 63n), (1n << 63n) - 1n], t: [0n, (1n << 64n) - 1n],
};

export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  pad(align: number): void {
    const to = (this.pos + align - 1) & ~(align - 1);
    this.room(to - this.pos);
    this.buf.fill(0, this.pos, to);
    this.pos = to;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.pad(4);
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Marshal `value` as type `t` (its signature is in the error when the value does not fit). */
  write(t: DBusType, value: DBusValue, depth = 0): void {
    if (depth > MAX_NESTING) throw new DBusWireError(`values nested deeper than ${MAX_NESTING}`);
    const bad = (want: string): never => {
      throw new DBusWireError(`cannot marshal ${show(value)} as '${t.sig}': ${want}`);
    };
    this.pad(alignment(t));
    switch (t.kind) {
      case "basic": {
        const c = t.code;
        if (c in INT_RANGE) {
          const [lo, hi] = INT_RANGE[c]!;
          if (typeof value !== "number" || !Number.isInteger(value) || value < lo || value > hi) bad(`an integer in ${lo}..${hi}`);
          const v = value as number;
          this.room(4);
          if (c === "y") this.buf[this.pos] = v;
          else if (c === "n") this.view.setInt16(this.pos, v, true);
          else if (c === "q") this.view.setUint16(this.pos, v, true);
          else if (c === "i") this.view.setInt32(this.pos, v, true);
          else this.view.setUint32(this.pos, v, true);
          this.pos += c === "y" ? 1 : c === "n" || c === "q" ? 2 : 4;
        } else if (c === "x" || c === "t") {
          const [lo, hi] = BIG_RANGE[c]!;
          const v = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
          if (typeof v !== "bigint" || v < lo || v > hi) bad(`a bigint in ${lo}..${hi}`);
          this.room(8);
          if (c === "x") this.view.setBigInt64(this.pos, v as bigint, true);
          else this.view.setBigUint64(this.pos, v as bigint, true);
          this.pos += 8;
        } else if (c === "d") {
          if (typeof value !== "number") bad("a number");
          this.room(8);
          this.view.setFloat64(this.pos, value as number, true);
          this.pos += 8;
        } else if (c === "b") {
          if (typeof value !== "boolean") bad("a boolean");
          this.u32(value ? 1 : 0);
        } else {
          if (typeof value !== "string") bad("a string");
          this.string(c, value as string);
        }
        return;
      }
      case "variant": {
        if (typeof value !== "object" || value === null || Array.isArray(value)) bad("a variant { sig, value }");
        const v = value as Variant;
        const inner = parseSingle(v.sig);
        this.string("g", v.sig);
        this.write(inner, v.value, depth + 1);
        return;
      }
      case "struct": {
        if (!Array.isArray(value) || value.length !== t.fields.length) bad(`an array of its ${t.fields.length} fields`);
        t.fields.forEach((f, i) => this.write(f, (value as DBusValue[])[i]!, depth + 1));
        return;
      }
      case "array":
      case "dict": {
        // a{kv}'s type is the dict entry itself; its elements are [key, value] pairs
        const isDict = t.kind === "dict";
        if (!Array.isArray(value)) bad("an array");
        this.u32(0);
        const lengthAt = this.pos - 4;
        this.pad(isDict ? 8 : alignment((t as { elem: DBusType }).elem));
        const start = this.pos;
        for (const item of value as DBusValue[]) {
          if (isDict) {
            const d = t as Extract<DBusType, { kind: "dict" }>;
            if (!Array.isArray(item) || item.length !== 2) bad("an array of [key, value] pairs");
            this.pad(8);
            this.write(d.key, (item as DBusValue[])[0]!, depth + 1);
            this.write(d.value, (item as DBusValue[])[1]!, depth + 1);
          } else {
            this.write((t as Extract<DBusType, { kind: "array" }>).elem, item, depth + 1);
          }
        }
        const len = this.pos - start;
        if (len > MAX_ARRAY) bad("at most 64 MiB of array data");
        this.patchU32(lengthAt, len);
        return;
      }
    }
  }

  private string(code: string, s: string): void {
    if (code === "o") checkObjectPath(s);
    if (s.includes("\0")) throw new DBusWireError(`a '${code}' cannot hold a NUL byte`);
    const b = utf8.encode(s);
    if (code === "g") {
      parseSignature(s); // any valid signature, of zero or more complete types
      this.u8(b.length);
    } else {
      this.u32(b.length);
    }
    this.bytes(b);
    this.u8(0);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  try {
    const s = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x));
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}

export class Reader {
  private view: DataView;
  pos: number;

  /** Reads `buf` from `start` (8-aligned in the message) to `end`; alignment counts from `start`. */
  constructor(
    private readonly buf: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    private readonly little: boolean,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  private fail(why: string): never {
    throw new DBusWireError(`malformed message: ${why} at byte ${this.pos}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail(`${n} more bytes needed but the data ends`);
  }

  pad(align: number): void {
    const to = this.start + ((this.pos - this.start + align - 1) & ~(align - 1));
    this.need(to - this.pos);
    for (let i = this.pos; i < to; i++) if (this.buf[i] !== 0) this.fail("non-zero padding");
    this.pos = to;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.pad(4);
    this.need(4);
    const v = this.view.getUint32(this.pos, this.little);
    this.pos += 4;
    return v;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  read(t: DBusType, depth = 0): DBusValue {
    if (depth > MAX_NESTING) this.fail(`values nested deeper than ${MAX_NESTING}`);
    this.pad(alignment(t));
    switch (t.kind) {
      case "basic":
        return this.basic(t.code);
      case "variant": {
        const sig = this.string("g");
        let inner: DBusType;
        try {
          inner = parseSingle(sig);
        } catch (e) {
          this.fail(`variant: ${(e as Error).message.replace(/^dbus: /, "")}`);
        }
        return { sig, value: this.read(inner, depth + 1) };
      }
      case "struct":
        return t.fields.map((f) => this.read(f, depth + 1));
      case "array":
      case "dict": {
        const len = this.u32();
        if (len > MAX_ARRAY) this.fail(`array of ${len} bytes (more than 64 MiB)`);
        this.pad(t.kind === "dict" ? 8 : alignment(t.elem));
        this.need(len);
        const stop = this.pos + len;
        const out: DBusValue[] = [];
        while (this.pos < stop) {
          if (t.kind === "dict") {
            this.pad(8);
            out.push([this.read(t.key, depth + 1), this.read(t.value, depth + 1)]);
          } else {
            out.push(this.read(t.elem, depth + 1));
          }
        }
        if (this.pos !== stop) this.fail(`array elements overrun its length ${len}`);
        return out;
      }
    }
  }

  private basic(c: string): DBusValue {
    const v = this.view, p = this.pos, le = this.little;
    switch (c) {
      case "y":
        return this.u8();
      case "b": {
        const n = this.u32();
        if (n > 1) this.fail(`boolean ${n} (only 0 and 1 are valid)`);
        return n === 1;
      }
      case "n":
      case "q":
        this.need(2);
        this.pos += 2;
        return c === "n" ? v.getInt16(p, le) : v.getUint16(p, le);
      case "i":
        this.need(4);
        this.pos += 4;
        return v.getInt32(p, le);
      case "u":
      case "h":
        return this.u32();
      case "x":
      case "t":
        this.need(8);
        this.pos += 8;
        return c === "x" ? v.getBigInt64(p, le) : v.getBigUint64(p, le);
      case "d":
        this.need(8);
        this.pos += 8;
        return v.getFloat64(p, le);
      default:
        return this.string(c);
    }
  }

  private string(code: string): string {
    const len = code === "g" ? this.u8() : this.u32();
    this.need(len + 1);
    const bytes = this.buf.subarray(this.pos, this.pos + len);
    if (this.buf[this.pos + len] !== 0) this.fail(`'${code}' not NUL-terminated`);
    if (bytes.includes(0)) this.fail(`'${code}' holds a NUL byte`);
    let s: string;
    try {
      s = fromUtf8.decode(bytes);
    } catch {
      this.fail(`'${code}' is not valid UTF-8`);
    }
    this.pos += len + 1;
    try {
      if (code === "o") checkObjectPath(s);
      if (code === "g") parseSignature(s);
    } catch (e) {
      this.fail((e as Error).message.replace(/^dbus: /, ""));
    }
    return s;
  }
}
