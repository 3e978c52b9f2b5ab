// How bunbox reaches systemd's manager. Root talks to PID 1 directly on its private socket
// (/run/systemd/private, what systemctl uses as root): no dbus-daemon needed, no Hello, and
// signals come straight from systemd. Anyone else, or a host whose private socket is missing,
// goes through the system bus broker: Hello first, then a match rule, since the broker forwards
// a broadcast signal only to connections that asked for it.
import { connectUnix } from "../../sys/unix-socket.ts";
import { sendAll, readWithin, closeFd } from "../../sys/stream-io.ts";
import { existsSync } from "../../sys/files.ts";
import { authenticate } from "./dbus-auth.ts";
import { DBusConnection, DEFAULT_TIMEOUT_MS, type ByteStream } from "./dbus-connection.ts";

export const PRIVATE_SOCKET = "/run/systemd/private";
export const SYSTEM_BUS_SOCKET = "/run/dbus/system_bus_socket";
export const SYSTEMD = {
  destination: "org.freedesktop.systemd1",
  path: "/org/freedesktop/systemd1",
  manager: "org.freedesktop.systemd1.Manager",
} as const;

export interface SystemdBus {
  conn: DBusConnection;
  /** The socket we talk on (the private one, or the system bus). */
  socket: string;
  /** Whether a dbus-daemon sits between us and systemd. */
  viaBroker: boolean;
  /** Set once Manager.Subscribe was called on this connection (job signals are on). */
  subscribed?: boolean;
}

/** A unix stream socket as the connection's ByteStream, reads bounded by poll(2). */
export function unixStream(path: string): ByteStream {
  const fd = connectUnix(path);
  const buf = new Uint8Array(65536);
  return {
    write: (d) => sendAll(fd, d),
    read: (timeoutMs) => {
      const n = readWithin(fd, buf, timeoutMs);
      return n === null ? null : buf.slice(0, n);
    },
    close: () => closeFd(fd),
  };
}

/** The system bus socket: $DBUS_SYSTEM_BUS_ADDRESS's unix:path= when set, else the standard one. */
export function systemBusSocket(env: Record<string, string | undefined> = process.env): string {
  const addr = env.DBUS_SYSTEM_BUS_ADDRESS;
  for (const part of addr?.split(";") ?? []) {
    const path = /^unix:(?:.*,)?path=([^,]+)/.exec(part)?.[1];
    if (path) return decodeURIComponent(path);
  }
  return SYSTEM_BUS_SOCKET;
}

export interface ConnectOptions {
  uid?: number;
  timeoutMs?: number;
  /** A socket path to use instead of choosing (the private socket or a bus socket). */
  socket?: string;
  exists?: (path: string) => boolean;
  open?: (path: string) => ByteStream;
}

/** An authenticated connection to systemd's manager (closed by the caller: bus.conn.close()). */
export function connectSystemd(o: ConnectOptions = {}): SystemdBus {
  const uid = o.uid ?? process.getuid!();
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const exists = o.exists ?? existsSync;
  const open = o.open ?? unixStream;
  const socket = o.socket ?? (uid === 0 && exists(PRIVATE_SOCKET) ? PRIVATE_SOCKET : systemBusSocket());
  const viaBroker = socket !== PRIVATE_SOCKET;
  const stream = open(socket);
  let conn: DBusConnection | undefined;
  try {
    const { rest } = authenticate(stream, uid, timeoutMs);
    // Only job completions are waited for; every other signal of systemd's is dropped on arrival
    conn = new DBusConnection(stream, timeoutMs, (m) => m.member === "JobRemoved", rest);
    if (viaBroker) {
      const bus = { destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus" };
      conn.call({ ...bus, member: "Hello" });
      const rule = `type='signal',sender='${SYSTEMD.destination}',path='${SYSTEMD.path}',interface='${SYSTEMD.manager}',member='JobRemoved'`;
      conn.call({ ...bus, member: "AddMatch", signature: "s", body: [rule] });
    }
    return { conn, socket, viaBroker };
  } catch (e) {
    if (conn) conn.close();
    else stream.close();
    throw e;
  }
}
