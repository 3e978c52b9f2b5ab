// The part of Go's text/template that Docker's --format is used with: `{{.State.ExitCode}}`,
// `{{json .Config}}`, `{{index .Config.Env 0}}`, `{{range .Mounts}}{{.Source}} {{end}}`,
// `{{if eq .State.Status "running"}}up{{else if .State.Paused}}paused{{else}}down{{end}}`,
// `{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}`, `{{printf "%.12s" .Id}}`.
// Values print as Docker prints its typed structs: an object of strings only is a Go map
// (map[k:v], keys sorted), any other object a struct ({v1 v2}, fields in order); lists [a b];
// true/false; <nil>; a key a map lacks <no value> (and so do fields of it, as in Go).
// Not here: define/template/block, `=` reassignment, comparisons of mixed types.
import { BunboxError } from "../errors.ts";

/** Docker's CLI answers a bad --format with 1. */
export class TemplateError extends BunboxError {
  constructor(message: string) {
    super(`template: ${message}`, 1);
  }
}

/** Go's zero Value for a key a map does not have: prints "<no value>". */
const NO_VALUE = Symbol("no value");

type Arg =
  | { kind: "field"; from: "dot" | "root" | "var"; name?: string; path: string[] }
  | { kind: "lit"; value: unknown }
  | { kind: "fn"; name: string }
  | { kind: "sub"; pipe: Pipe; path: string[] };
type Pipe = Arg[][];
/** declare: `{{if $x := pipeline}}` binds the value inside the block. */
type Branch = { pipe: Pipe; body: Node[]; declare?: string };
type Node =
  | { kind: "text"; text: string }
  | { kind: "print"; pipe: Pipe }
  | { kind: "assign"; name: string; pipe: Pipe }
  | { kind: "if"; branches: Branch[]; otherwise: Node[] }
  | { kind: "with"; declare?: string; pipe: Pipe; body: Node[]; otherwise: Node[] }
  | { kind: "range"; key?: string; value?: string; pipe: Pipe; body: Node[]; otherwise: Node[] };

export interface Options {
  /** A missing field is an error (Docker's ps rows are Go structs), not <no value> (inspect's maps). */
  strict?: boolean;
  /**
   * Objects are Docker's structs seen as JSON (inspect): a key they lack is an error, as Docker's
   * inspect says with missingkey=error, except in Go maps (goMap(), or an object of strings only,
   * such as labels), which give <no value> as a typed map does.
   */
  structs?: boolean;
}

const GO_MAPS = new WeakSet<object>();

/** Marks an object that stands for a Go map in Docker's types (Networks, Ports…): a missing key is <no value>. */
export function goMap<T extends object>(o: T): T {
  GO_MAPS.add(o);
  return o;
}

export interface Template {
  execute(data: unknown): string;
}

export function parseTemplate(source: string, opts: Options = {}): Template {
  const nodes = buildTree(lex(source));
  return { execute: (data) => run(nodes, { dot: data, root: data, vars: new Map(), opts }) };
}

// ---- lexing: text and {{actions}} (with Go's {{- and -}} trimming) ----

type Piece = { kind: "text"; text: string } | { kind: "action"; tokens: string[] };

function lex(source: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{{", i);
    if (open < 0) {
      pieces.push({ kind: "text", text: source.slice(i) });
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source[start] === "-" && /\s/.test(source[start + 1] ?? "")) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    if (text) pieces.push({ kind: "text", text });
    const { tokens, end } = tokenize(source, start);
    let after = end + 2;
    if (tokens[tokens.length - 1] === "-" && /\s/.test(source[end - 2] ?? "")) {
      tokens.pop();
      after += /^\s*/.exec(source.slice(after))![0].length;
    }
    pieces.push({ kind: "action", tokens });
    i = after;
  }
  return pieces;
}

/** Tokens of one action from `start`; `end` is where its "}}" begins. */
function tokenize(s: string, start: number): { tokens: string[]; end: number } {
  const tokens: string[] = [];
  let i = start;
  for (;;) {
    if (i >= s.length) throw new TemplateError(`unclosed action`);
    const c = s[i]!;
    if (s.startsWith("}}", i)) return { tokens, end: i };
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) throw new TemplateError(`unterminated quoted string`);
      tokens.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === "`") {
      const j = s.indexOf("`", i + 1);
      if (j < 0) throw new TemplateError(`unterminated raw quoted string`);
      tokens.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    // `(index .Mounts 0).Source`: a field of what the parenthesis gives, written right after it
    if (c === ")" && s[i + 1] === ".") {
      const m = /^\)(\.[A-Za-z0-9_.]+)/.exec(s.slice(i))!;
      tokens.push(`)${m[1]}`);
      i += m[0].length;
      continue;
    }
    if (c === "(" || c === ")" || c === "|" || c === ",") { tokens.push(c); i++; continue; }
    if (s.startsWith(":=", i)) { tokens.push(":="); i += 2; continue; }
    if (c === "-" && s[i + 1] === "}" && s[i + 2] === "}") { tokens.push("-"); i++; continue; }
    const m = /^[^\s()|,"`]+/.exec(s.slice(i))!;
    let word = m[0];
    for (const stop of ["}}", ":="]) {
      const at = word.indexOf(stop);
      if (at > 0) word = word.slice(0, at);
    }
    tokens.push(word);
    i += word.length;
  }
}

// ---- parsing: a tree of text, prints, assignments and if/with/range blocks ----

type Open = Extract<Node, { kind: "if" | "with" | "range" }>;

function buildTree(pieces: Piece[]): Node[] {
  const root: Node[] = [];
  const stack: { node: Open; inElse: boolean }[] = [];
  const target = (): Node[] => {
    const top = stack[stack.length - 1];
    if (!top) return root;
    if (top.inElse) return top.node.otherwise;
    return top.node.kind === "if" ? top.node.branches[top.node.branches.length - 1]!.body : top.node.body;
  };
  for (const p of pieces) {
    if (p.kind === "text") { target().push(p); continue; }
    const [head, ...rest] = p.tokens;
    if (head === undefined) throw new TemplateError(`missing value for command`);
    if (head.startsWith("/*")) continue; // a comment
    if (head === "if") {
      const { value, tokens } = rangeDeclaration(rest);
      const node: Open = { kind: "if", branches: [{ pipe: parsePipe(tokens), body: [], declare: value }], otherwise: [] };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (head === "with") {
      const { value, tokens } = rangeDeclaration(rest);
      const node: Open = { kind: "with", declare: value, pipe: parsePipe(tokens), body: [], otherwise: [] };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (head === "range") {
      const { key, value, tokens } = rangeDeclaration(rest);
      const node: Open = { kind: "range", key, value, pipe: parsePipe(tokens), body: [], otherwise: [] };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (head === "else") {
      const top = stack[stack.length - 1];
      if (!top || top.inElse) throw new TemplateError(`unexpected {{else}}`);
      if (rest[0] === "if" && top.node.kind === "if") {
        const { value, tokens } = rangeDeclaration(rest.slice(1));
        top.node.branches.push({ pipe: parsePipe(tokens), body: [], declare: value });
      }
      else if (rest.length) throw new TemplateError(`{{else ${rest[0]}}} is not supported`);
      else top.inElse = true;
    } else if (head === "end") {
      if (!stack.pop()) throw new TemplateError(`unexpected {{end}}`);
    } else if (head === "define" || head === "template" || head === "block") {
      throw new TemplateError(`{{${head}}} is not supported`);
    } else if (rest[0] === ":=") {
      if (!/^\$[A-Za-z_]\w*$/.test(head)) throw new TemplateError(`unexpected "${head}" in declaration`);
      target().push({ kind: "assign", name: head, pipe: parsePipe(rest.slice(1)) });
    } else if (rest.includes(":=") || rest.includes("=")) {
      throw new TemplateError(`only {{$name := pipeline}} declarations are supported`);
    } else {
      target().push({ kind: "print", pipe: parsePipe(p.tokens) });
    }
  }
  if (stack.length) throw new TemplateError(`unexpected EOF: {{${stack[stack.length - 1]!.node.kind}}} without {{end}}`);
  return root;
}

/** `range $v := X`, `range $i, $v := X`, or plain `range X`. */
function rangeDeclaration(tokens: string[]): { key?: string; value?: string; tokens: string[] } {
  const at = tokens.indexOf(":=");
  if (at < 0) return { tokens };
  const names = tokens.slice(0, at).filter((t) => t !== ",");
  if (!names.length || names.length > 2 || names.some((n) => !/^\$[A-Za-z_]\w*$/.test(n))) throw new TemplateError(`bad range declaration`);
  return names.length === 2 ? { key: names[0], value: names[1], tokens: tokens.slice(at + 1) } : { value: names[0], tokens: tokens.slice(at + 1) };
}

function parsePipe(tokens: string[]): Pipe {
  const pipe: Pipe = [];
  let cmd: Arg[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "|") {
      if (!cmd.length) throw new TemplateError(`missing command before |`);
      pipe.push(cmd);
      cmd = [];
    } else if (t === "(") {
      let depth = 1, j = i + 1;
      for (; j < tokens.length && depth; j++) depth += tokens[j] === "(" ? 1 : tokens[j]!.startsWith(")") ? -1 : 0;
      if (depth) throw new TemplateError(`unclosed left paren`);
      const close = tokens[j - 1]!;
      cmd.push({ kind: "sub", pipe: parsePipe(tokens.slice(i + 1, j - 1)), path: close.length > 1 ? close.slice(2).split(".") : [] });
      i = j - 1;
    } else if (t.startsWith(")")) {
      throw new TemplateError(`unexpected right paren`);
    } else {
      cmd.push(parseArg(t));
    }
  }
  if (!cmd.length) throw new TemplateError(`missing value for command`);
  pipe.push(cmd);
  return pipe;
}

function parseArg(t: string): Arg {
  if (t === ".") return { kind: "field", from: "dot", path: [] };
  if (t.startsWith(".")) return { kind: "field", from: "dot", path: t.slice(1).split(".") };
  if (t === "$") return { kind: "field", from: "root", path: [] };
  if (t.startsWith("$.")) return { kind: "field", from: "root", path: t.slice(2).split(".") };
  if (t.startsWith("$")) {
    const [name, ...path] = t.split(".");
    return { kind: "field", from: "var", name, path };
  }
  if (t.startsWith('"')) return { kind: "lit", value: unquote(t) };
  if (t.startsWith("`")) return { kind: "lit", value: t.slice(1, -1) };
  if (t === "true" || t === "false") return { kind: "lit", value: t === "true" };
  if (t === "nil") return { kind: "lit", value: null };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return { kind: "lit", value: Number(t) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) {
    if (!Object.hasOwn(FUNCS, t)) throw new TemplateError(`function "${t}" not defined`);
    return { kind: "fn", name: t };
  }
  throw new TemplateError(`unexpected "${t}" in command`);
}

// ---- execution ----

interface Scope {
  dot: unknown;
  root: unknown;
  vars: Map<string, unknown>;
  opts: Options;
}

function run(nodes: Node[], sc: Scope): string {
  let out = "";
  for (const n of nodes) {
    switch (n.kind) {
      case "text": out += n.text; break;
      case "print": out += show(evalPipe(n.pipe, sc)); break;
      case "assign": sc.vars.set(n.name, evalPipe(n.pipe, sc)); break;
      case "if": {
        // Variables declared inside a block end with it, as in Go
        const vars = new Map(sc.vars);
        const hit = n.branches.find((b) => {
          const v = evalPipe(b.pipe, { ...sc, vars });
          if (b.declare) vars.set(b.declare, v);
          return truthy(v);
        });
        out += run(hit ? hit.body : n.otherwise, { ...sc, vars });
        break;
      }
      case "with": {
        const v = evalPipe(n.pipe, sc);
        const vars = new Map(sc.vars);
        if (n.declare) vars.set(n.declare, v);
        out += truthy(v) ? run(n.body, { ...sc, dot: v, vars }) : run(n.otherwise, { ...sc, vars });
        break;
      }
      case "range": {
        const v = evalPipe(n.pipe, sc);
        const entries: [unknown, unknown][] | undefined = Array.isArray(v) ? v.map((item, i) => [i, item])
          : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]])
          : v === null || v === NO_VALUE ? [] : undefined;
        if (!entries) throw new TemplateError(`range can't iterate over ${show(v)}`);
        if (!entries.length) { out += run(n.otherwise, { ...sc, vars: new Map(sc.vars) }); break; }
        for (const [k, item] of entries) {
          const vars = new Map(sc.vars);
          if (n.key) vars.set(n.key, k);
          if (n.value) vars.set(n.value, item);
          out += run(n.body, { ...sc, dot: item, vars });
        }
        break;
      }
    }
  }
  return out;
}

function evalPipe(pipe: Pipe, sc: Scope): unknown {
  let prior: unknown[] = [];
  for (const cmd of pipe) {
    const [head, ...rest] = cmd;
    if (head!.kind === "fn" && (head!.name === "and" || head!.name === "or")) {
      // Go 1.18+: and/or stop at the first argument that decides, the rest is never evaluated
      const decides = head!.name === "and" ? (v: unknown) => !truthy(v) : truthy;
      const lazy = [...rest.map((a) => () => evalArg(a, sc)), ...prior.map((v) => () => v)];
      let v: unknown;
      for (const arg of lazy) {
        v = arg();
        if (decides(v)) break;
      }
      prior = [v];
    } else if (head!.kind === "fn") {
      const args = [...rest.map((a) => evalArg(a, sc)), ...prior];
      prior = [FUNCS[head!.name]!(...args)];
    } else {
      const v = evalArg(head!, sc);
      // A method of the data with arguments, as Docker's {{.Label "key"}} on a ps row
      if (typeof v === "function" && head!.kind === "field") {
        const args = [...rest.map((a) => evalArg(a, sc)), ...prior];
        if (args.length !== v.length) throw new TemplateError(`wrong number of args for ${head!.path.at(-1)}: want ${v.length} got ${args.length}`);
        prior = [v(...args)];
        continue;
      }
      if (rest.length || prior.length) throw new TemplateError(`can't give argument to non-function ${describeArg(head!)}`);
      prior = [v];
    }
  }
  return prior[0];
}

function evalArg(a: Arg, sc: Scope): unknown {
  switch (a.kind) {
    case "lit": return a.value;
    case "sub": return fieldOf(evalPipe(a.pipe, sc), a.path, sc.opts);
    case "fn": return FUNCS[a.name]!();
    case "field": {
      if (a.from === "var" && !sc.vars.has(a.name!)) throw new TemplateError(`undefined variable "${a.name}"`);
      return fieldOf(a.from === "dot" ? sc.dot : a.from === "root" ? sc.root : sc.vars.get(a.name!), a.path, sc.opts);
    }
  }
}

function fieldOf(start: unknown, path: string[], opts: Options): unknown {
  let v = start;
  for (const [i, key] of path.entries()) {
    const at = "." + path.slice(0, i + 1).join(".");
    if (v === NO_VALUE) return NO_VALUE; // a field of a missing key: Go's zero Value again
    if (isMap(v)) {
      if (Object.hasOwn(v, key)) v = v[key];
      else if (opts.strict) throw new TemplateError(`executing at <${at}>: can't evaluate field ${key}`);
      else if (opts.structs && !GO_MAPS.has(v) && !isStringMap(v)) throw new TemplateError(`executing "" at <${at}>: map has no entry for key "${key}"`);
      else v = NO_VALUE;
    } else if (v === null || v === undefined) {
      throw new TemplateError(`executing at <${at}>: nil pointer evaluating ${key}`);
    } else {
      throw new TemplateError(`executing at <${at}>: can't evaluate field ${key} in type ${goType(v)}`);
    }
  }
  return v;
}

const describeArg = (a: Arg): string => {
  if (a.kind === "field") return (a.from === "root" ? "$" : a.from === "var" ? a.name! : "") + (a.path.length ? "." + a.path.join(".") : a.from === "dot" ? "." : "");
  return a.kind === "lit" ? show(a.value) : "(…)";
};

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An object of strings only stands for one of Docker's maps (labels, options); others for its structs. */
function isStringMap(v: Record<string, unknown>): boolean {
  return Object.values(v).every((x) => typeof x === "string");
}

function goType(v: unknown): string {
  return typeof v === "string" ? "string" : typeof v === "number" ? "float64" : typeof v === "boolean" ? "bool" : Array.isArray(v) ? "[]interface {}" : "interface {}";
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === NO_VALUE || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's fmt %v of the data. */
export function show(v: unknown): string {
  if (v === NO_VALUE) return "<no value>";
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  if (isMap(v)) {
    return isStringMap(v) ? `map[${Object.keys(v).sort().map((k) => `${k}:${v[k]}`).join(" ")}]` : `{${Object.values(v).map(show).join(" ")}}`;
  }
  return String(v);
}

/** Docker's json function: Go's encoder (a map's keys sorted, a struct's in order), no HTML escaping. */
function toJson(v: unknown): string {
  const order = (x: unknown): unknown => {
    if (x === NO_VALUE) return null;
    if (Array.isArray(x)) return x.map(order);
    if (!isMap(x)) return x;
    const keys = isStringMap(x) ? Object.keys(x).sort() : Object.keys(x);
    return Object.fromEntries(keys.map((k) => [k, order(x[k])]));
  };
  return JSON.stringify(order(v)) ?? "null";
}

function compare(a: unknown, b: unknown, name: string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
}

/** fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string" ? " " : "") + show(a)).join("");
}

/** fmt.Sprintf's common verbs: v s d q x X o c t f e g, with flags, width and precision. */
function sprintf(format: unknown, args: unknown[]): string {
  let i = 0;
  return String(format).replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([vsdqxXoctfeg%])/g, (_, flags: string, w: string, p: string | undefined, verb: string) => {
    if (verb === "%") return "%";
    if (i >= args.length) return `%!${verb}(MISSING)`;
    const a = args[i++];
    const prec = p === undefined ? undefined : Number(p);
    const num = typeof a === "number" ? a : Number(a);
    let s: string;
    switch (verb) {
      case "s": case "v": s = show(a); if (prec !== undefined) s = [...s].slice(0, prec).join(""); break;
      case "q": s = JSON.stringify(show(a)); break;
      case "d":
        if (typeof a !== "number") return `%!d(${goType(a)}=${show(a)})`;
        s = (flags.includes("+") && num >= 0 ? "+" : "") + String(Math.trunc(num));
        break;
      case "x": case "X": {
        s = typeof a === "string" ? [...new TextEncoder().encode(a)].map((b) => b.toString(16).padStart(2, "0")).join("") : Math.trunc(num).toString(16);
        if (verb === "X") s = s.toUpperCase();
        if (flags.includes("#")) s = (verb === "X" ? "0X" : "0x") + s;
        break;
      }
      case "o": s = Math.trunc(num).toString(8); break;
      case "c": s = String.fromCodePoint(Math.trunc(num)); break;
      case "t": s = show(a); break;
      case "e": s = num.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2"); break;
      case "g": s = (prec === undefined ? String(num) : num.toPrecision(prec)).replace(/e([+-])(\d)$/, "e$10$2"); break;
      default: s = num.toFixed(prec ?? 6);
    }
    const width = Number(w || 0);
    if (s.length >= width) return s;
    if (flags.includes("-")) return s.padEnd(width);
    return flags.includes("0") && /[dxXofeg]/.test(verb) ? (s.startsWith("-") ? "-" + s.slice(1).padStart(width - 1, "0") : s.padStart(width, "0")) : s.padStart(width);
  });
}

/** A Go interpreted string literal: \n \t \x41 \u00e9 \101 \" \\ … */
function unquote(t: string): string {
  const body = t.slice(1, -1);
  const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    const c = simple[e];
    if (c === undefined) throw new TemplateError(`invalid syntax: unknown escape sequence \\${e}`);
    return c;
  });
}

function index(coll: unknown, ...keys: unknown[]): unknown {
  let c = coll;
  for (const k of keys) {
    if (Array.isArray(c)) {
      const n = Number(k);
      if (!Number.isInteger(n) || n < 0 || n >= c.length) throw new TemplateError(`error calling index: index out of range: ${show(k)}`);
      c = c[n];
    } else if (isMap(c)) {
      // A missing key of a map of strings (Docker's labels) is "", as its typed map gives
      c = Object.hasOwn(c, String(k)) ? c[String(k)] : isStringMap(c) ? "" : NO_VALUE;
    } else {
      throw new TemplateError(`error calling index: index of untyped nil`);
    }
  }
  return c;
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => toJson(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(show).join(String(sep ?? "")) : show(list)),
  split: (s, sep) => String(s).split(String(sep)),
  index,
  len: (v) => (typeof v === "string" || Array.isArray(v) ? v.length : isMap(v) ? Object.keys(v).length : 0),
  upper: (s) => show(s).toUpperCase(),
  lower: (s) => show(s).toLowerCase(),
  title: (s) => show(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase()),
  pad: (s, left, right) => " ".repeat(Number(left) || 0) + show(s) + " ".repeat(Number(right) || 0),
  truncate: (s, n) => [...show(s)].slice(0, Number(n)).join(""),
  print: (...args) => sprint(args),
  println: (...args) => args.map(show).join(" ") + "\n",
  printf: (format, ...args) => sprintf(format, args),
  not: (v) => !truthy(v),
  and: (...args) => args.find((a) => !truthy(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => truthy(a)) ?? args[args.length - 1],
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b, "lt") < 0,
  le: (a, b) => compare(a, b, "le") <= 0,
  gt: (a, b) => compare(a, b, "gt") > 0,
  ge: (a, b) => compare(a, b, "ge") >= 0,
};
