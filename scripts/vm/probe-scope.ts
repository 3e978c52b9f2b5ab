#!/usr/bin/env bun
// Proof of src/cgroups/systemd/ on a real systemd host (run as root inside the systemd VM):
//   BUN_BE_BUN=1 ./dist/bunbox scripts/vm/probe-scope.ts [--bus] [--raw]
// Starts `sleep 100`, puts it in bunbox-probe.scope (bunbox.slice, Delegate=yes, MemoryMax=64M),
// shows what systemd and the cgroup tree say, writes pids.max straight into the delegated scope,
// stops the scope and shows the unit gone and the child killed; then times start+stop rounds.
// --bus goes through the system bus (dbus-daemon) instead of systemd's private socket.
// Also prints the order in which systemd's messages arrived; --raw prints the bytes of the first
// message of each kind (fixtures/dbus/systemd-252-messages.txt came from it).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { connectSystemd, systemBusSocket, unixStream } from "../../src/cgroups/systemd/bus.ts";
import { startScope, stopUnit, unitCgroup, systemdRunning, scopeProperties } from "../../src/cgroups/systemd/scope.ts";
import { decodeMessage, messageSize } from "../../src/cgroups/systemd/dbus-wire.ts";
import type { ByteStream } from "../../src/cgroups/systemd/dbus-connection.ts";

const viaBus = process.argv.includes("--bus");
const raw = process.argv.includes("--raw");
const UNIT = "bunbox-probe.scope";
const say = (s: string) => console.log(s);
const sh = (...cmd: string[]) => {
  const r = Bun.spawnSync(cmd, { stderr: "pipe" });
  return (r.stdout.toString() + r.stderr.toString()).trimEnd();
};
const ms = (t0: number) => (performance.now() - t0).toFixed(1);

/** Records every byte systemd sends, to show the order of replies and signals. */
let tape: number[] = [];
const tapped = (path: string): ByteStream => {
  const s = unixStream(path);
  return { ...s, read: (t) => { const b = s.read(t); if (b) tape.push(...b); return b; } };
};
const shown = new Set<string>();
function arrivals(): string[] {
  const out: string[] = [];
  let buf = Uint8Array.from(tape);
  for (let size; (size = messageSize(buf)) !== undefined && buf.length >= size; buf = buf.subarray(size)) {
    const m = decodeMessage(buf);
    const body = JSON.stringify(m.body, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));
    out.push(m.type === 4 ? `signal ${m.member}(${body.slice(0, 70)})` : m.type === 2 ? `reply to #${m.replySerial} ${body.slice(0, 60)}` : `error ${m.errorName}`);
    // Real bytes of systemd's, for the unit tests' known sequences: the first of each kind
    const kind = m.type === 4 ? m.member! : m.type === 2 && m.signature === "o" ? "job-reply" : "";
    if (raw && kind && !shown.has(kind) && size < 2048) {
      shown.add(kind);
      say(`raw ${kind} (${size} bytes): ${Buffer.from(buf.subarray(0, size)).toString("hex")}`);
    }
  }
  return out;
}

say(`uid ${process.getuid!()}  systemdRunning() ${systemdRunning()}  own cgroup ${readFileSync("/proc/self/cgroup", "utf8").trim()}`);
say(`systemd ${sh("systemctl", "--version").split("\n")[0]}`);

const t0 = performance.now();
const bus = connectSystemd(viaBus ? { socket: systemBusSocket(), open: tapped } : { open: tapped });
say(`connected to ${bus.socket} (via broker: ${bus.viaBroker}) in ${ms(t0)} ms (the first: code loads)`);
const t0b = performance.now();
connectSystemd(viaBus ? { socket: systemBusSocket() } : {}).conn.close();
say(`a second connection: ${ms(t0b)} ms`);

const child = Bun.spawn(["sleep", "100"]);
const pid = child.pid;
say(`child sleep 100: pid ${pid}, cgroup ${readFileSync(`/proc/${pid}/cgroup`, "utf8").trim()}`);

tape = [];
const t1 = performance.now();
const cg = startScope(
  { unit: UNIT, slice: "bunbox.slice", pids: [pid], description: "bunbox probe", resources: { memoryMax: 64n << 20n } },
  bus,
);
const startMs = ms(t1);
say(`startScope -> ${cg} in ${startMs} ms; systemd's messages in order: ${arrivals().join("; ")}`);
const t2 = performance.now();
unitCgroup(UNIT, bus);
say(`(of which GetUnit + Properties.Get alone take ~${ms(t2)} ms)`);

const dir = `/sys/fs/cgroup${cg}`;
const cat = (f: string) => { try { return readFileSync(`${dir}/${f}`, "utf8").trim(); } catch (e) { return `(${(e as Error).message})`; } };
say(`/proc/${pid}/cgroup: ${readFileSync(`/proc/${pid}/cgroup`, "utf8").trim()}`);
say(`memory.max: ${cat("memory.max")}`);
say(`cgroup.controllers: ${cat("cgroup.controllers")}`);
say(`cgroup.subtree_control: ${cat("cgroup.subtree_control")}`);
say(`bunbox.slice/cgroup.subtree_control: ${readFileSync("/sys/fs/cgroup/bunbox.slice/cgroup.subtree_control", "utf8").trim()}`);
say(`pids.max before: ${cat("pids.max")}`);
try {
  writeFileSync(`${dir}/pids.max`, "32");
  say(`wrote 32 into ${dir}/pids.max: now ${cat("pids.max")}`);
} catch (e) {
  say(`writing pids.max failed: ${(e as Error).message}`);
}
say(`owner of the scope dir: ${sh("stat", "-c", "%U %a", dir)}`);
// The scope's own files stay systemd's (Delegate hands over the subtree below it): does a reload
// put back what systemd thinks the limit is?
sh("systemctl", "daemon-reload");
say(`after systemctl daemon-reload: pids.max ${cat("pids.max")}, memory.max ${cat("memory.max")}`);
say(`systemctl list-units 'bunbox-*':\n${sh("systemctl", "list-units", "--no-pager", "bunbox-*")}`);
say(`systemctl show:\n${sh("systemctl", "show", "--no-pager", "-p", "Delegate,MemoryMax,TasksMax,CollectMode,Slice,ControlGroup,ActiveState", UNIT)}`);

// The same name again: systemd's refusal, as the user would read it
try {
  startScope({ unit: UNIT, slice: "bunbox.slice", pids: [pid] }, bus);
} catch (e) {
  say(`second start: ${(e as Error).message}`);
}

tape = [];
const t3 = performance.now();
stopUnit(UNIT, bus);
say(`stopUnit in ${ms(t3)} ms; systemd's messages in order: ${arrivals().join("; ")}`);
await child.exited;
say(`child after stop: exit ${child.exitCode}, signal ${child.signalCode}`);
say(`systemctl list-units --all 'bunbox-*':\n${sh("systemctl", "list-units", "--all", "--no-pager", "bunbox-*")}`);
say(`systemctl status: ${sh("systemctl", "status", "--no-pager", UNIT).split("\n")[0]}`);
const t4 = performance.now();
stopUnit(UNIT, bus);
say(`stopUnit of a unit that is gone: fine, ${ms(t4)} ms`);

// A pid that does not exist: systemd's refusal as the user reads it
try {
  startScope({ unit: "bunbox-nopid.scope", slice: "bunbox.slice", pids: [999999] }, bus);
} catch (e) {
  say(`start with pid 999999: ${(e as Error).message}`);
}
// The container ends by itself: the scope goes inactive and CollectMode unloads it, no stop needed
{
  const c = Bun.spawn(["sleep", "1"]);
  startScope({ unit: "bunbox-short.scope", slice: "bunbox.slice", pids: [c.pid] }, bus);
  await c.exited;
  await Bun.sleep(500);
  say(`a scope whose process exited: ${sh("systemctl", "list-units", "--all", "--no-pager", "--plain", "--no-legend", "bunbox-short.scope") || "(gone)"}; stopUnit then: ${(() => { try { stopUnit("bunbox-short.scope", bus); return "fine"; } catch (e) { return (e as Error).message; } })()}`);
}

// A delegated subtree is ours: a leaf for the process, controllers enabled below the scope
{
  const c = Bun.spawn(["sleep", "100"]);
  const cg2 = startScope({ unit: "bunbox-probe2.scope", slice: "bunbox.slice", pids: [c.pid] }, bus);
  const d = `/sys/fs/cgroup${cg2}`;
  try {
    mkdirSync(`${d}/init`);
    writeFileSync(`${d}/init/cgroup.procs`, String(c.pid));
    writeFileSync(`${d}/cgroup.subtree_control`, "+memory +pids +cpu");
    writeFileSync(`${d}/init/memory.max`, "33554432");
    say(`subtree: ${d}/cgroup.subtree_control = ${readFileSync(`${d}/cgroup.subtree_control`, "utf8").trim()}, init/memory.max = ${readFileSync(`${d}/init/memory.max`, "utf8").trim()}`);
  } catch (e) {
    say(`subtree in the delegated scope failed: ${(e as Error).message}`);
  }
  stopUnit("bunbox-probe2.scope", bus);
  await c.exited;
  say(`scope with a subtree stopped: child signal ${c.signalCode}; list: ${sh("systemctl", "list-units", "--all", "--no-pager", "--plain", "--no-legend", "bunbox-*") || "(none)"}`);
}

// Timing: start (StartTransientUnit + job wait + cgroup lookup) and stop, N rounds
const N = 10;
const starts: number[] = [], stops: number[] = [];
for (let i = 0; i < N; i++) {
  const c = Bun.spawn(["sleep", "100"]);
  const a = performance.now();
  startScope({ unit: `bunbox-t${i}.scope`, slice: "bunbox.slice", pids: [c.pid] }, bus);
  const b = performance.now();
  stopUnit(`bunbox-t${i}.scope`, bus);
  stops.push(performance.now() - b);
  starts.push(b - a);
  await c.exited;
}
const stat = (xs: number[]) => { const s = [...xs].sort((p, q) => p - q); return `min ${s[0]!.toFixed(1)} median ${s[s.length >> 1]!.toFixed(1)} max ${s[s.length - 1]!.toFixed(1)} ms`; };
say(`${N} rounds on one connection: startScope ${stat(starts)}; stopUnit ${stat(stops)}`);
// The start alone, split: StartTransientUnit's reply, then its job's JobRemoved (Subscribe done)
const M = { destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager" };
const replyMs: number[] = [], jobMs: number[] = [];
for (let i = 0; i < N; i++) {
  const c = Bun.spawn(["sleep", "100"]);
  const a = performance.now();
  const [job] = bus.conn.call({ ...M, member: "StartTransientUnit", signature: "ssa(sv)a(sa(sv))", body: [`bunbox-s${i}.scope`, "fail", scopeProperties({ unit: `bunbox-s${i}.scope`, slice: "bunbox.slice", pids: [c.pid] }), []] });
  const b = performance.now();
  bus.conn.waitForSignal((m) => m.member === "JobRemoved" && m.body?.[1] === job, "JobRemoved");
  replyMs.push(b - a);
  jobMs.push(performance.now() - b);
  stopUnit(`bunbox-s${i}.scope`, bus);
  await c.exited;
}
say(`StartTransientUnit until its reply: ${stat(replyMs)}; then until JobRemoved: ${stat(jobMs)}`);
// For scale in this emulated VM: systemd's own tool making a scope and running `true` in it
const runMs: number[] = [];
for (let i = 0; i < 5; i++) {
  const a = performance.now();
  sh("systemd-run", "--scope", "--quiet", "--slice=bunbox.slice", "true");
  runMs.push(performance.now() - a);
}
say(`systemd-run --scope true (sd-bus, process start included): ${stat(runMs)}`);

// As bunbox will use it: a connection of its own for each start and each stop (this also
// catches the BEGIN race of dbus-auth.ts, which struck connections opened right after a stop)
const fresh = viaBus ? { socket: systemBusSocket() } : undefined;
const fstarts: number[] = [], fstops: number[] = [];
for (let i = 0; i < N; i++) {
  const c = Bun.spawn(["sleep", "100"]);
  const a = performance.now();
  startScope({ unit: `bunbox-f${i}.scope`, slice: "bunbox.slice", pids: [c.pid] }, fresh);
  const b = performance.now();
  stopUnit(`bunbox-f${i}.scope`, fresh);
  fstops.push(performance.now() - b);
  fstarts.push(b - a);
  await c.exited;
}
say(`${N} rounds, a fresh connection per call (connect + auth${viaBus ? " + Hello + AddMatch" : ""} + Subscribe + ...): startScope ${stat(fstarts)}; stopUnit ${stat(fstops)}`);
bus.conn.close();
say(`left behind: ${sh("systemctl", "list-units", "--all", "--no-pager", "--plain", "--no-legend", "bunbox-*") || "(nothing)"}`);
