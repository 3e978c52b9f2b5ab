// OCI linux.seccomp → a classic-BPF seccomp filter (struct sock_filter[]), in pure TypeScript.
//
// Shape of the program:
//   ld arch; one jeq per audit arch the filter handles; anything else → KILL_PROCESS
//   per audit arch: ld nr; a binary search (jge) over the syscall-number line, whose leaves are
//   either a shared `ret` or a small body checking arguments; then the rets; then the bodies.
//
// The number line of each audit arch is cut into segments with one outcome each, so a run of
// allowed numbers costs one segment, and a lookup costs about log2(segments) jumps.
//
// Semantics (libseccomp's where it has one):
// - Rules for one syscall: the ones with arguments are tried in profile order (all args of a rule
//   must hold: AND; the first rule that holds wins: OR); then the first rule without arguments;
//   then the default action.
// - Names a table does not know on an ABI are skipped for that ABI; unknownNames lists those no
//   ABI of the filter knows.
// - x32 (AUDIT_ARCH_X86_64 with nr ≥ 0x40000000) is matched with x32's own numbers when
//   SCMP_ARCH_X32 is listed, and killed like an unlisted arch when it is not: it never reaches
//   the x86_64 rules, so an x32 number can not slip past a rule written for x86_64.
// - Unlisted arch → SECCOMP_RET_KILL_PROCESS (libseccomp's default bad-arch action is a kill too).
// - ENOSYS for new syscalls: when the default action denies, numbers above the highest number the
//   profile names on that ABI answer ERRNO(ENOSYS) instead of the default: the profile cannot
//   have meant to allow or forbid a call it predates, and libc falls back from ENOSYS (clone3 →
//   clone, statx → fstatat...) but treats EPERM as final. runc does the same.
import type { Seccomp, SeccompArg, Syscall } from "../../config/schema.ts";
import { ENOSYS, RET_ERRNO, RET_KILL_PROCESS, actionValue, flagBits, isPermissive } from "./actions.ts";
import { type Abi, type NativeArch, filterAbis, syscallNumber } from "./arches.ts";
import { type ArgCheck, emitArgCheck, split64 } from "./args.ts";
import { Assembler, BPF_MAXINSNS, JEQ, JGE, type Label } from "./asm.ts";
import { SeccompError } from "./errors.ts";

export interface CompiledFilter {
  /** struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k, little endian, 8 bytes each. */
  program: Uint8Array;
  /** Distinct syscall names with an ALLOW rule that at least one ABI of the filter knows. */
  allowed: number;
  /** Names no ABI of the filter knows (typos, or calls of other architectures). */
  unknownNames: string[];
  /** SECCOMP_FILTER_FLAG_* bits for seccomp(2), from `flags`. */
  flags: number;
}

interface Rule { id: number; ret: number; checks: ArgCheck[] }
interface Body { label: Label; conditional: Rule[]; fallback: number; args32: boolean }
type Outcome = number | Body; // a return value, or a body checking arguments

const SECCOMP_DATA_NR = 0;
const SECCOMP_DATA_ARCH = 4;
const TOP = 2 ** 32;

export function compileSeccomp(seccomp: Seccomp, native: NativeArch): CompiledFilter {
  const defaultRet = actionValue(seccomp.defaultAction, seccomp.defaultErrnoRet, "defaultAction");
  const enosys = !isPermissive(seccomp.defaultAction);
  const rules = (seccomp.syscalls ?? []).map((s, i) => normalize(s, i));
  const abis = filterAbis(native, seccomp.architectures);

  const asm = new Assembler();
  const known = new Set<string>();
  const groups = groupByAudit(abis).map((g) => ({ ...g, label: asm.label() }));

  asm.ld(SECCOMP_DATA_ARCH);
  for (const g of groups) {
    const next = asm.label();
    asm.jump(JEQ, g.audit, g.label, next);
    asm.bind(next);
  }
  asm.ret(RET_KILL_PROCESS);

  for (const g of groups) {
    const rets = new Map<number, Label>();
    const retLabel = (k: number) => rets.get(k) ?? (rets.set(k, asm.label()), rets.get(k)!);
    const starts: number[] = [];
    const outcomes: Outcome[] = [];
    const push = (start: number, o: Outcome) => {
      const last = outcomes.length - 1;
      if (last >= 0 && typeof o === "number" && outcomes[last] === o) return; // merge equal runs
      starts.push(start);
      outcomes.push(o);
    };

    // x86_64 and x32 often carry the same rules for a call (same rule objects, same argument
    // width): one body serves both numbers.
    const bodies = new Map<string, Body>();
    const body = (conditional: Rule[], fallback: number, args32: boolean): Body => {
      const key = `${conditional.map((r) => r.id).join(",")}/${fallback}/${args32}`;
      let b = bodies.get(key);
      if (!b) bodies.set(key, (b = { label: asm.label(), conditional, fallback, args32 }));
      return b;
    };
    let cursor = 0;
    for (const abi of g.abis) {
      if (abi.lo > cursor) push(cursor, RET_KILL_PROCESS); // an ABI of this audit arch not listed
      const byNr = collect(abi, seccomp.syscalls ?? [], rules, known);
      // A typed array sorts numerically in native code; a JS comparator costs ~8 ms cold.
      const nrs = Uint32Array.from(byNr.keys()).sort();
      let newest = Infinity;
      if (enosys) for (const n of nrs) if (n < abi.privateFrom) newest = n;
      const gap = (start: number) => (start > newest ? (RET_ERRNO | ENOSYS) >>> 0 : defaultRet);
      let at = abi.lo;
      for (const nr of nrs) {
        if (nr > at) push(at, gap(at));
        const r = byNr.get(nr)!;
        const fallback = r.unconditional ?? defaultRet;
        push(nr, r.conditional.length ? body(r.conditional, fallback, abi.args32) : fallback);
        at = nr + 1;
      }
      if (at < abi.hi) push(at, gap(at));
      cursor = abi.hi;
    }
    if (cursor < TOP) push(cursor, RET_KILL_PROCESS);

    const uses = new Map<Body, number>();
    for (const o of outcomes) if (typeof o !== "number") uses.set(o, (uses.get(o) ?? 0) + 1);
    const inline = (b: Body) => uses.get(b) === 1;
    asm.bind(g.label);
    asm.ld(SECCOMP_DATA_NR);
    emitSearch(asm, starts, outcomes, retLabel, inline);
    // Shared rets right after the search, shared bodies last: bodies end in their own rets so
    // they never jump back.
    for (const [k, label] of rets) {
      asm.bind(label);
      asm.ret(k);
    }
    for (const [b] of uses) if (!inline(b)) emitBody(asm, b);
  }

  const program = asm.assemble();
  const count = program.length / 8;
  if (count > BPF_MAXINSNS) {
    throw new SeccompError(`seccomp filter needs ${count} instructions, more than the kernel's ${BPF_MAXINSNS}`);
  }
  const allowed = new Set<string>();
  const unknown = new Set<string>();
  for (const s of seccomp.syscalls ?? []) {
    for (const name of s.names) {
      if (!known.has(name)) unknown.add(name);
      else if (s.action === "SCMP_ACT_ALLOW") allowed.add(name);
    }
  }
  return { program, allowed: allowed.size, unknownNames: [...unknown].sort(), flags: flagBits(seccomp.flags) };
}

function normalize(s: Syscall, id: number): Rule {
  const where = `syscalls.${id}`;
  const ret = actionValue(s.action, s.errnoRet, `${where}.action`);
  const checks = (s.args ?? []).map((a, i) => toCheck(a, `${where}.args.${i}`));
  return { id, ret, checks };
}

function toCheck(a: SeccompArg, where: string): ArgCheck {
  if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) {
    throw new SeccompError(`${where}.index: ${a.index} is not an argument index (0 to 5)`);
  }
  return {
    index: a.index,
    op: a.op,
    value: split64(a.value, `${where}.value`),
    valueTwo: split64(a.valueTwo ?? 0, `${where}.valueTwo`),
  };
}

/** The ABIs sharing each audit arch value, in filter order (x86_64 then x32). */
function groupByAudit(abis: Abi[]): { audit: number; abis: Abi[] }[] {
  const groups: { audit: number; abis: Abi[] }[] = [];
  for (const abi of abis) {
    const g = groups.find((x) => x.audit === abi.audit);
    if (g) g.abis.push(abi);
    else groups.push({ audit: abi.audit, abis: [abi] });
  }
  for (const g of groups) g.abis.sort((a, b) => a.lo - b.lo);
  return groups;
}

/** Rules per syscall number on one ABI. */
function collect(abi: Abi, syscalls: Syscall[], rules: Rule[], known: Set<string>) {
  const byNr = new Map<number, { conditional: Rule[]; unconditional?: number }>();
  syscalls.forEach((s, i) => {
    const rule = rules[i]!;
    for (const name of s.names) {
      const nr = syscallNumber(abi, name);
      if (nr === undefined) continue;
      known.add(name);
      let entry = byNr.get(nr);
      if (!entry) byNr.set(nr, (entry = { conditional: [] }));
      if (rule.checks.length) entry.conditional.push(rule);
      else entry.unconditional ??= rule.ret; // the first rule without arguments wins
    }
  });
  return byNr;
}

/**
 * Binary search over segment starts; A holds the syscall number throughout. A body only this
 * search reaches once is laid out inline, right under the node that jumps to it, so the jump
 * stays short; shared bodies (x86_64 and x32) come after the search.
 */
function emitSearch(
  asm: Assembler, starts: number[], outcomes: Outcome[], retLabel: (k: number) => Label,
  inline: (b: Body) => boolean,
): void {
  type Task = { label: Label; i: number; j: number } | { body: Body };
  const pending: Task[] = [];
  const node = (i: number, j: number): Label => {
    if (i === j) {
      const o = outcomes[i]!;
      if (typeof o === "number") return retLabel(o);
      if (inline(o)) pending.push({ body: o });
      return o.label;
    }
    const label = asm.label();
    pending.push({ label, i, j });
    return label;
  };
  const root = node(0, starts.length - 1);
  if (!pending.length) return asm.ja(root);
  // Depth-first, parents before children: every jump goes forward.
  while (pending.length) {
    const task = pending.pop()!;
    if ("body" in task) {
      emitBody(asm, task.body);
      continue;
    }
    const { label, i, j } = task;
    const mid = (i + j + 1) >> 1;
    asm.bind(label);
    const left = node(i, mid - 1);
    const right = node(mid, j);
    asm.jump(JGE, starts[mid]!, right, left);
  }
}

function emitBody(asm: Assembler, body: Body): void {
  asm.bind(body.label);
  // Each rule ends in its own `ret`, right after its checks: a jump to a shared ret at the end
  // of the section would be long (a trampoline per check) once bodies pile up.
  for (const rule of body.conditional) {
    const nextRule = asm.label();
    rule.checks.forEach((check) => {
      const pass = asm.label();
      emitArgCheck(asm, check, body.args32, pass, nextRule);
      asm.bind(pass);
    });
    asm.ret(rule.ret);
    asm.bind(nextRule);
  }
  asm.ret(body.fallback);
}
