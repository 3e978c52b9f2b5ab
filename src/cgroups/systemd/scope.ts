// Transient systemd scopes for containers, as Podman and Docker's systemd cgroup driver make
// them: on a systemd host the cgroup tree belongs to systemd, and a login shell's or service's
// cgroup already holds processes (cgroup v2 then gives its children no controllers), so bunbox
// asks systemd for a unit of its own holding the container's pid, with Delegate=yes so that the
// subtree is bunbox's to write. Synchronous: each call returns once systemd's job has finished.
import { existsSync } from "../../sys/files.ts";
import { variant, type DBusValue, type Message, type Variant } from "./dbus-wire.ts";
import { DBusError } from "./dbus-connection.ts";
import { connectSystemd, SYSTEMD, type ConnectOptions, type SystemdBus } from "./bus.ts";
import { unitProperties, type ScopeResources } from "./properties.ts";
import { BunboxError } from "../../errors.ts";

export type { ScopeResources } from "./properties.ts";

export interface ScopeOptions {
  /** The unit's name, e.g. "bunbox-<id>.scope". */
  unit: string;
  /** The slice it goes in, e.g. "bunbox.slice" (systemd makes it when it does not exist). */
  slice?: string;
  /** Processes moved into the scope (at least one: systemd refuses an empty scope). */
  pids: number[];
  description?: string;
  resources?: ScopeResources;
  /** Further unit properties as they go on the wire: [name, variant]. */
  properties?: [string, Variant][];
}

/** A systemd request that failed: one line naming the unit and systemd's error. */
export class SystemdError extends BunboxError {
  constructor(
    readonly unit: string,
    message: string,
    readonly errorName?: string,
  ) {
    super(message);
  }
}

/** sd_booted(3): systemd is PID 1 exactly when /run/systemd/system exists. */
export function systemdRunning(exists: (path: string) => boolean = existsSync): boolean {
  return exists("/run/systemd/system");
}

/** What StartTransientUnit gets as its a(sv) properties. */
export function scopeProperties(o: ScopeOptions): [string, Variant][] {
  if (!/^[A-Za-z0-9:_.\\@-]+\.scope$/.test(o.unit)) throw new SystemdError(o.unit, `systemd: invalid scope name "${o.unit}"`);
  if (o.slice !== undefined && !/^[A-Za-z0-9:_.\\-]+\.slice$/.test(o.slice)) {
    throw new SystemdError(o.unit, `systemd: invalid slice name "${o.slice}" for ${o.unit}`);
  }
  if (o.pids.length === 0) throw new SystemdError(o.unit, `systemd: scope ${o.unit} needs at least one pid`);
  const props: [string, Variant][] = [
    ["Description", variant("s", o.description ?? o.unit)],
    ...(o.slice ? [["Slice", variant("s", o.slice)] as [string, Variant]] : []),
    ["PIDs", variant("au", o.pids)],
    // The subtree is ours to write: systemd enables the controllers and keeps its hands off below
    ["Delegate", variant("b", true)],
    // A scope whose processes died or failed to start is unloaded at once, not left listed
    ["CollectMode", variant("s", "inactive-or-failed")],
    ...unitProperties(o.resources ?? {}),
    ...(o.properties ?? []),
  ];
  return props;
}

/**
 * Creates the scope and waits for its start job; returns its cgroup path below the cgroup root
 * ("/bunbox.slice/bunbox-<id>.scope"). With no `bus`, connects for this call only.
 */
export function startScope(o: ScopeOptions, bus?: SystemdBus | ConnectOptions): string {
  const props = scopeProperties(o);
  return withBus(o.unit, "start", bus, (b) => {
    const result = runJob(b, o.unit, "StartTransientUnit", "ssa(sv)a(sa(sv))", [o.unit, "fail", props, []]);
    if (result !== "done") throw new SystemdError(o.unit, `systemd: cannot start ${o.unit}: its start job ended "${result}"`);
    return cgroupOf(b, o.unit);
  });
}

/** Stops the unit (killing what is in it) and waits for the job; a unit that does not exist is fine. */
export function stopUnit(unit: string, bus?: SystemdBus | ConnectOptions): void {
  withBus(unit, "stop", bus, (b) => {
    let result: string;
    try {
      result = runJob(b, unit, "StopUnit", "ss", [unit, "replace"]);
    } catch (e) {
      if (e instanceof DBusError && e.errorName === "org.freedesktop.systemd1.NoSuchUnit") return;
      throw e;
    }
    if (result !== "done") throw new SystemdError(unit, `systemd: cannot stop ${unit}: its stop job ended "${result}"`);
  });
}

/** The unit's cgroup path (its ControlGroup property). */
export function unitCgroup(unit: string, bus?: SystemdBus | ConnectOptions): string {
  return withBus(unit, "read the cgroup of", bus, (b) => cgroupOf(b, unit));
}

function cgroupOf(b: SystemdBus, unit: string): string {
  const [path] = b.conn.call({ ...manager("GetUnit"), signature: "s", body: [unit] }) as [string];
  const [v] = b.conn.call({
    destination: SYSTEMD.destination,
    path,
    interface: "org.freedesktop.DBus.Properties",
    member: "Get",
    signature: "ss",
    body: [`org.freedesktop.systemd1.${unitType(unit)}`, "ControlGroup"],
  }) as [Variant];
  if (v.sig !== "s" || typeof v.value !== "string" || v.value === "") {
    throw new SystemdError(unit, `systemd: ${unit} has no cgroup (ControlGroup is ${JSON.stringify(v.value)})`);
  }
  return v.value;
}

const unitType = (unit: string) => {
  const t = unit.slice(unit.lastIndexOf(".") + 1);
  return t.charAt(0).toUpperCase() + t.slice(1); // scope → Scope, service → Service, slice → Slice
};

const manager = (member: string) => ({ destination: SYSTEMD.destination, path: SYSTEMD.path, interface: SYSTEMD.manager, member });

/**
 * Calls a Manager method that returns a job and waits for that job's JobRemoved signal: its
 * result ("done", "failed", "canceled", "timeout", "dependency", "skipped"). The signal may come
 * before the reply; the connection keeps it until asked.
 */
function runJob(b: SystemdBus, unit: string, member: string, signature: string, body: DBusValue[]): string {
  if (!b.subscribed) {
    // systemd emits job signals only while someone is subscribed
    b.conn.call(manager("Subscribe"));
    b.subscribed = true;
  }
  const [job] = b.conn.call({ ...manager(member), signature, body }) as [string];
  const isOurs = (m: Message) => m.interface === SYSTEMD.manager && m.member === "JobRemoved" && m.body?.[1] === job;
  const removed = b.conn.waitForSignal(isOurs, `JobRemoved for ${job} (${unit})`);
  return removed.body![3] as string;
}

/** Runs `f` on the given connection, or on a new one closed afterwards; errors become SystemdErrors. */
function withBus<T>(unit: string, verb: string, bus: SystemdBus | ConnectOptions | undefined, f: (b: SystemdBus) => T): T {
  let own: SystemdBus | undefined;
  try {
    const b = bus && "conn" in bus ? bus : (own = connectSystemd(bus));
    return f(b);
  } catch (e) {
    if (e instanceof SystemdError) throw e;
    const name = e instanceof DBusError ? e.errorName : undefined;
    throw new SystemdError(unit, `systemd: cannot ${verb} ${unit}: ${(e as Error).message}`, name);
  } finally {
    own?.conn.close();
  }
}
