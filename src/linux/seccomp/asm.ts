// A tiny classic-BPF assembler with labels. The compiler writes straight-line code that jumps to
// labels; `assemble` lays it out and encodes it. Conditional jumps in classic BPF have 8-bit
// offsets (at most 255 instructions forward), so a conditional jump whose target is farther gets
// a trampoline: an unconditional BPF_JA (32-bit offset) right after it. Adding trampolines moves
// code, which can push other jumps out of range, so layout repeats until nothing changes (it only
// ever grows, so it ends).

// Opcodes (linux/bpf_common.h, linux/filter.h).
const BPF_LD_W_ABS = 0x20; // A = *(u32 *)(seccomp_data + k)
const BPF_ALU_AND_K = 0x54; // A &= k
const BPF_JMP_JA = 0x05; // pc += k
const BPF_RET_K = 0x06; // return k

export const JEQ = 0x15; // pc += (A == k) ? jt : jf
export const JGT = 0x25; // unsigned A > k
export const JGE = 0x35; // unsigned A >= k
export const JSET = 0x45; // (A & k) != 0
export type CondOp = typeof JEQ | typeof JGT | typeof JGE | typeof JSET;

/** The kernel refuses longer programs (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;

export type Label = number;

type Item =
  | { kind: "ld"; k: number }
  | { kind: "and"; k: number }
  | { kind: "jcond"; op: CondOp; k: number; t: Label; f: Label; farT: boolean; farF: boolean }
  | { kind: "ja"; target: Label }
  | { kind: "ret"; k: number }
  | { kind: "label"; id: Label };

export class Assembler {
  private items: Item[] = [];
  private labels = 0;

  label(): Label {
    return this.labels++;
  }
  /** The next instruction emitted is where `id` points. */
  bind(id: Label): void {
    this.items.push({ kind: "label", id });
  }
  ld(offset: number): void {
    this.items.push({ kind: "ld", k: offset });
  }
  and(k: number): void {
    this.items.push({ kind: "and", k: k >>> 0 });
  }
  jump(op: CondOp, k: number, t: Label, f: Label): void {
    this.items.push({ kind: "jcond", op, k: k >>> 0, t, f, farT: false, farF: false });
  }
  ja(target: Label): void {
    this.items.push({ kind: "ja", target });
  }
  ret(k: number): void {
    this.items.push({ kind: "ret", k: k >>> 0 });
  }

  /** Lay out, add trampolines where needed, and encode as struct sock_filter[] (little endian). */
  assemble(): Uint8Array {
    const items = this.items;
    const pos = new Int32Array(items.length);
    const at = new Int32Array(this.labels).fill(-1);
    const size = (it: Item) =>
      it.kind === "label" ? 0 : it.kind === "jcond" ? 1 + +it.farT + +it.farF : 1;

    let total = 0;
    for (let changed = true; changed; ) {
      changed = false;
      total = 0;
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        pos[i] = total;
        if (it.kind === "label") at[it.id] = total;
        total += size(it);
      }
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (it.kind !== "jcond") continue;
        if (!it.farT && at[it.t]! - pos[i]! - 1 > 255) (it.farT = true), (changed = true);
        if (!it.farF && at[it.f]! - pos[i]! - 1 > 255) (it.farF = true), (changed = true);
      }
    }

    const out = new Uint8Array(total * 8);
    const view = new DataView(out.buffer);
    let pc = 0;
    const put = (code: number, jt: number, jf: number, k: number) => {
      view.setUint16(pc * 8, code, true);
      view.setUint8(pc * 8 + 2, jt);
      view.setUint8(pc * 8 + 3, jf);
      view.setUint32(pc * 8 + 4, k >>> 0, true);
      pc++;
    };
    // Offsets are relative to the instruction after the jump; every jump must go forward.
    const forward = (target: Label, from: number) => {
      const where = at[target]!;
      if (where < 0) throw new Error(`seccomp assembler: label ${target} never bound`);
      const off = where - from - 1;
      if (off < 0) throw new Error(`seccomp assembler: backward jump to label ${target}`);
      return off;
    };
    for (const it of items) {
      switch (it.kind) {
        case "label": break;
        case "ld": put(BPF_LD_W_ABS, 0, 0, it.k); break;
        case "and": put(BPF_ALU_AND_K, 0, 0, it.k); break;
        case "ret": put(BPF_RET_K, 0, 0, it.k); break;
        case "ja": put(BPF_JMP_JA, 0, 0, forward(it.target, pc)); break;
        case "jcond": {
          const self = pc;
          // Trampolines sit right after the jump: first the one for "true", then for "false".
          const jt = it.farT ? 0 : forward(it.t, self);
          const jf = it.farF ? +it.farT : forward(it.f, self);
          put(it.op, jt, jf, it.k);
          if (it.farT) put(BPF_JMP_JA, 0, 0, forward(it.t, pc));
          if (it.farF) put(BPF_JMP_JA, 0, 0, forward(it.f, pc));
          break;
        }
      }
    }
    return out;
  }
}
