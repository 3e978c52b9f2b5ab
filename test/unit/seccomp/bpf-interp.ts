// A classic-BPF interpreter for tests: runs a seccomp program over a seccomp_data the way the
// kernel's checker + interpreter would, and refuses what the kernel would refuse (backward or
// out-of-range jumps, unaligned or out-of-bounds loads, falling off the end).
//
// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } (64 bytes)

export interface SeccompData {
  nr: number;
  arch: number;
  ip?: bigint;
  args?: (number | bigint)[];
}

export function seccompData(d: SeccompData): DataView {
  const v = new DataView(new ArrayBuffer(64));
  v.setInt32(0, d.nr | 0, true);
  v.setUint32(4, d.arch >>> 0, true);
  v.setBigUint64(8, d.ip ?? 0n, true);
  (d.args ?? []).forEach((a, i) => v.setBigUint64(16 + 8 * i, BigInt.asUintN(64, BigInt(a)), true));
  return v;
}

const BPF_CLASS = (c: number) => c & 0x07;
const BPF_SIZE = (c: number) => c & 0x18;
const BPF_MODE = (c: number) => c & 0xe0;
const BPF_OP = (c: number) => c & 0xf0;
const BPF_SRC = (c: number) => c & 0x08;

export class BpfError extends Error {}

/** Runs `program` (8-byte sock_filter entries) and returns the filter's u32 verdict. */
export function runBpf(program: Uint8Array, data: SeccompData | DataView): number {
  const pkt = data instanceof DataView ? data : seccompData(data);
  const code = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const n = program.byteLength / 8;
  if (!Number.isInteger(n) || n === 0 || n > 4096) throw new BpfError(`bad program length ${program.byteLength}`);
  const mem = new Uint32Array(16);
  let A = 0, X = 0;
  for (let pc = 0; pc < n; pc++) {
    const c = code.getUint16(pc * 8, true);
    const jt = code.getUint8(pc * 8 + 2);
    const jf = code.getUint8(pc * 8 + 3);
    const k = code.getUint32(pc * 8 + 4, true);
    const load = (off: number) => {
      if (BPF_SIZE(c) !== 0x00) throw new BpfError(`pc ${pc}: seccomp allows 32-bit loads only`);
      if (off % 4 || off < 0 || off + 4 > 64) throw new BpfError(`pc ${pc}: load at ${off} outside seccomp_data`);
      return pkt.getUint32(off, true);
    };
    const jump = (off: number) => {
      if (pc + 1 + off >= n) throw new BpfError(`pc ${pc}: jump past the end`);
      pc += off;
    };
    switch (BPF_CLASS(c)) {
      case 0x00: // LD
        switch (BPF_MODE(c)) {
          case 0x20: A = load(k); break; // ABS
          case 0x00: A = k; break; // IMM
          case 0x60: A = mem[k & 15]!; break; // MEM
          case 0x80: A = 64; break; // LEN
          default: throw new BpfError(`pc ${pc}: bad ld mode 0x${c.toString(16)}`);
        }
        break;
      case 0x01: // LDX
        switch (BPF_MODE(c)) {
          case 0x00: X = k; break;
          case 0x60: X = mem[k & 15]!; break;
          case 0x80: X = 64; break;
          default: throw new BpfError(`pc ${pc}: bad ldx mode 0x${c.toString(16)}`);
        }
        break;
      case 0x02: mem[k & 15] = A; break; // ST
      case 0x03: mem[k & 15] = X; break; // STX
      case 0x04: A = alu(c, A, BPF_SRC(c) ? X : k, pc); break;
      case 0x05: { // JMP
        const src = BPF_SRC(c) ? X : k;
        if (BPF_OP(c) === 0x00) { jump(k); break; }
        let cond: boolean;
        switch (BPF_OP(c)) {
          case 0x10: cond = A === src; break;
          case 0x20: cond = A > src; break;
          case 0x30: cond = A >= src; break;
          case 0x40: cond = (A & src) !== 0; break;
          default: throw new BpfError(`pc ${pc}: bad jump 0x${c.toString(16)}`);
        }
        jump(cond ? jt : jf);
        break;
      }
      case 0x06: return (BPF_MODE(c) === 0x10 ? A : k) >>> 0; // RET A / RET K
      case 0x07: // MISC
        if (c === 0x07) X = A; // TAX
        else if (c === 0x87) A = X; // TXA
        else throw new BpfError(`pc ${pc}: bad misc 0x${c.toString(16)}`);
        break;
    }
  }
  throw new BpfError("fell off the end of the program");
}

function alu(c: number, a: number, b: number, pc: number): number {
  switch (BPF_OP(c)) {
    case 0x00: return (a + b) >>> 0;
    case 0x10: return (a - b) >>> 0;
    case 0x20: return Math.imul(a, b) >>> 0;
    case 0x30: if (b === 0) throw new BpfError(`pc ${pc}: division by zero`); return Math.floor(a / b) >>> 0;
    case 0x40: return (a | b) >>> 0;
    case 0x50: return (a & b) >>> 0;
    case 0x60: return b >= 32 ? 0 : (a << b) >>> 0;
    case 0x70: return b >= 32 ? 0 : a >>> b;
    case 0x80: return -a >>> 0;
    case 0x90: if (b === 0) throw new BpfError(`pc ${pc}: modulo by zero`); return (a % b) >>> 0;
    case 0xa0: return (a ^ b) >>> 0;
    default: throw new BpfError(`pc ${pc}: bad alu 0x${c.toString(16)}`);
  }
}

/** Decodes a verdict for readable assertions: "allow", "errno 1", "kill_process"... */
export function verdict(ret: number): string {
  const action = ret & 0xffff0000;
  const data = ret & 0xffff;
  switch (action >>> 0) {
    case 0x7fff0000: return "allow";
    case 0x00050000: return `errno ${data}`;
    case 0x80000000: return "kill_process";
    case 0x00000000: return "kill_thread";
    case 0x00030000: return "trap";
    case 0x7ff00000: return `trace ${data}`;
    case 0x7ffc0000: return "log";
    default: return `0x${(ret >>> 0).toString(16)}`;
  }
}
