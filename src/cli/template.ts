// The part of Go's text/template that Docker's --format is used with: `{{.State.ExitCode}}`,
// `{{json .Config}}`, `{{index .Config.Env 0}}`, `{{range .Mounts}}{{.Source}} {{end}}`,
// `{{if eq .State.Status "running"}}up{{else}}down{{end}}`, `{{.Names | upper}}`. Values print as
// Go prints the JSON-decoded data Docker's CLI formats: numbers as written, true/false, <nil>,
// lists as [a b], maps as map[k:v] with sorted keys; a key a map lacks prints <no value>.
// Not here: variables ($x := …), define/template/block, comparisons of mixed types.

export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = "TemplateError";
  }
}

/** Go's zero Value for a key a map does not have: prints "<no value>". */
const NO_VALUE = Symbol("no value");

type Arg =
  | { kind: "field"; from: "dot" | "root"; path: string[] }
  | { kind: "lit"; value: unknown }
  | { kind: "fn"; name: string }
  | { kind: "sub"; pipe: Pipe; path: string[] };
type Pipe = Arg[][];
type Node =
  | { kind: "text"; text: string }
  | { kind: "print"; pipe: Pipe }
  | { kind: "if" | "with" | "range"; pipe: Pipe; body: Node[]; otherwise: Node[] };

export interface Options {
  /** A missing field is an error (Docker's ps rows are Go structs), not <no value> (inspect's maps). */
  strict?: boolean;
}

export interface Template {
  execute(data: unknown): string;
}

export function parseTemplate(source: string, opts: Options = {}): Template {
  const nodes = buildTree(lex(source));
  return { execute: (data) => run(nodes, data, data, opts) };
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
    if (source.startsWith("- ", start) || source.startsWith("-\t", start) || source.startsWith("-\n", start)) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    if (text) pieces.push({ kind: "text", text });
    const { tokens, end } = tokenize(source, start);
    let after = end + 2;
    if (source[end - 1] === "-" && /\s/.test(source[end - 2] ?? "")) {
      tokens.pop();
      const m = /^\s*/.exec(source.slice(after))!;
      after += m[0].length;
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
    if (c === "(" || c === ")" || c === "|") { tokens.push(c); i++; continue; }
    if (c === "-" && s[i + 1] === "}" && s[i + 2] === "}") { tokens.push("-"); i++; continue; }
    const m = /^[^\s()|"`]+/.exec(s.slice(i))!;
    let word = m[0];
    const close = word.indexOf("}}");
    if (close >= 0) word = word.slice(0, close);
    tokens.push(word);
    i += word.length;
  }
}

// ---- parsing: a tree of text, prints and if/with/range blocks ----

function buildTree(pieces: Piece[]): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: "if" | "with" | "range" }>; inElse: boolean }[] = [];
  const target = () => {
    const top = stack[stack.length - 1];
    return !top ? root : top.inElse ? top.node.otherwise : top.node.body;
  };
  for (const p of pieces) {
    if (p.kind === "text") { target().push(p); continue; }
    const [head, ...rest] = p.tokens;
    if (head === undefined) throw new TemplateError(`missing value for command`);
    if (head === "if" || head === "with" || head === "range") {
      if (rest.includes(":=") || rest.some((t) => t.startsWith("$") && t.endsWith(","))) throw new TemplateError(`variables are not supported`);
      const node = { kind: head, pipe: parsePipe(rest), body: [], otherwise: [] } as Extract<Node, { kind: "if" | "with" | "range" }>;
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (head === "else") {
      const top = stack[stack.length - 1];
      if (!top || top.inElse) throw new TemplateError(`unexpected {{else}}`);
      if (rest.length) throw new TemplateError(`{{else ${rest[0]}}} is not supported`);
      top.inElse = true;
    } else if (head === "end") {
      if (!stack.pop()) throw new TemplateError(`unexpected {{end}}`);
    } else if (head.startsWith("/*")) {
      continue; // a comment
    } else if (head === "define" || head === "template" || head === "block" || rest.includes(":=")) {
      throw new TemplateError(`{{${head}}} is not supported`);
    } else {
      target().push({ kind: "print", pipe: parsePipe(p.tokens) });
    }
  }
  if (stack.length) throw new TemplateError(`unexpected EOF: {{${stack[stack.length - 1]!.node.kind}}} without {{end}}`);
  return root;
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
  if (t === "$") return { kind: "field", from: "root", path: [] };
  if (t.startsWith(".")) return { kind: "field", from: "dot", path: t.slice(1).split(".") };
  if (t.startsWith("$.")) return { kind: "field", from: "root", path: t.slice(2).split(".") };
  if (t.startsWith('"')) return { kind: "lit", value: JSON.parse(t) as string };
  if (t.startsWith("`")) return { kind: "lit", value: t.slice(1, -1) };
  if (t === "true" || t === "false") return { kind: "lit", value: t === "true" };
  if (t === "nil") return { kind: "lit", value: null };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return { kind: "lit", value: Number(t) };
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) {
    if (!(t in FUNCS)) throw new TemplateError(`function "${t}" not defined`);
    return { kind: "fn", name: t };
  }
  throw new TemplateError(`unexpected "${t}" in command`);
}

// ---- execution ----

function run(nodes: Node[], dot: unknown, root: unknown, opts: Options): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "print") out += show(evalPipe(n.pipe, dot, root, opts));
    else {
      const v = evalPipe(n.pipe, dot, root, opts);
      if (n.kind === "range") {
        const items = Array.isArray(v) ? v : isMap(v) ? Object.keys(v).sort().map((k) => v[k]) : v === null || v === NO_VALUE ? [] : undefined;
        if (!items) throw new TemplateError(`range can't iterate over ${show(v)}`);
        out += items.length ? items.map((item) => run(n.body, item, root, opts)).join("") : run(n.otherwise, dot, root, opts);
      } else {
        out += truthy(v) ? run(n.body, n.kind === "with" ? v : dot, root, opts) : run(n.otherwise, dot, root, opts);
      }
    }
  }
  return out;
}

function evalPipe(pipe: Pipe, dot: unknown, root: unknown, opts: Options): unknown {
  let prior: unknown[] = [];
  for (const cmd of pipe) {
    const [head, ...rest] = cmd;
    if (head!.kind === "fn") {
      const args = [...rest.map((a) => evalArg(a, dot, root, opts)), ...prior];
      prior = [FUNCS[head!.name]!(...args)];
    } else {
      if (rest.length || prior.length) throw new TemplateError(`can't give argument to non-function ${describeArg(head!)}`);
      prior = [evalArg(head!, dot, root, opts)];
    }
  }
  return prior[0];
}

function evalArg(a: Arg, dot: unknown, root: unknown, opts: Options): unknown {
  switch (a.kind) {
    case "lit": return a.value;
    case "sub": return a.path.length ? fieldOf(evalPipe(a.pipe, dot, root, opts), a.path, opts) : evalPipe(a.pipe, dot, root, opts);
    case "fn": return FUNCS[a.name]!();
    case "field": return fieldOf(a.from === "dot" ? dot : root, a.path, opts);
  }
}

function fieldOf(start: unknown, path: string[], opts: Options): unknown {
  let v = start;
  for (const [i, key] of path.entries()) {
    const at = "." + path.slice(0, i + 1).join(".");
    if (isMap(v)) {
      if (Object.hasOwn(v, key)) v = v[key];
      else if (opts.strict) throw new TemplateError(`executing at <${at}>: can't evaluate field ${key}`);
      else v = NO_VALUE;
    } else if (v === null || v === undefined || v === NO_VALUE) {
      throw new TemplateError(`executing at <${at}>: nil pointer evaluating ${key}`);
    } else {
      throw new TemplateError(`executing at <${at}>: can't evaluate field ${key} in type ${goType(v)}`);
    }
  }
  return v;
}

const describeArg = (a: Arg) => (a.kind === "field" ? (a.from === "root" ? "$" : "") + "." + a.path.join(".") : a.kind === "lit" ? show(a.value) : "(…)");

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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

/** Go's fmt %v of JSON-decoded data. */
export function show(v: unknown): string {
  if (v === NO_VALUE) return "<no value>";
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${show(v[k])}`).join(" ")}]`;
  return String(v);
}

/** Docker's json function: Go's encoder (map keys sorted), no HTML escaping, no newline. */
function toJson(v: unknown): string {
  const sorted = (x: unknown): unknown => (x === NO_VALUE ? null : Array.isArray(x) ? x.map(sorted) : isMap(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sorted(x[k])])) : x);
  return JSON.stringify(sorted(v)) ?? "null";
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

function sprintf(format: unknown, args: unknown[]): string {
  let i = 0;
  return String(format).replace(/%([-+ 0#]*\d*(?:\.\d+)?)([vsdqtf%])/g, (_, flags: string, verb: string) => {
    if (verb === "%") return "%";
    const a = args[i++];
    const s = verb === "q" ? JSON.stringify(show(a)) : verb === "d" ? String(Math.trunc(Number(a))) : verb === "f" ? Number(a).toFixed(Number(/\.(\d+)/.exec(flags)?.[1] ?? 6)) : show(a);
    const width = Number(/^[-+ 0#]*(\d+)/.exec(flags)?.[1] ?? 0);
    return flags.includes("-") ? s.padEnd(width) : s.padStart(width);
  });
}

const FUNCS: Record<string, (...args: unknown[]) => unknown> = {
  json: (v) => toJson(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(show).join(String(sep ?? "")) : show(list)),
  split: (s, sep) => String(s).split(String(sep)),
  index: (coll, ...keys) => keys.reduce((c, k) => (Array.isArray(c) ? c[Number(k)] : isMap(c) ? (Object.hasOwn(c, String(k)) ? c[String(k)] : NO_VALUE) : NO_VALUE), coll),
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
