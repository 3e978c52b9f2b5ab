// A synchronous D-Bus connection: send a method call, block (with a deadline) until its reply.
// Messages that arrive meanwhile are not lost: signals are kept for a later waitForSignal, since
// systemd may emit a job's JobRemoved before it sends the reply that names the job. The byte
// stream is a parameter (a unix socket in production, a scripted peer in the tests).
import { decodeMessage, encodeMessage, messageSize, MessageType, type DBusValue, type Message } from "./dbus-wire.ts";
import { BunboxError } from "../../errors.ts";

/** What the connection needs from a socket. */
export interface ByteStream {
  write(data: Uint8Array): void;
  /** The next bytes (empty at end of stream), or null when `timeoutMs` passed with none. */
  read(timeoutMs: number): Uint8Array | null;
  close(): void;
}

/** An error reply, or a call that got none; `errorName` is D-Bus's (org.freedesktop.systemd1.NoSuchUnit). */
export class DBusError extends BunboxError {
  constructor(
    readonly errorName: string,
    readonly detail: string,
  ) {
    super(detail ? `${errorName}: ${detail}` : errorName);
  }
}
// The names libdbus gives to a call that timed out and to a connection that went away
export const NO_REPLY = "org.freedesktop.DBus.Error.NoReply";
/**
 * How long a reply or a job's signal may take: sd-bus's and libdbus's default, 25 s. systemd
 * answers in milliseconds when idle, but it handles its clients one at a time: 20 containers
 * started at once in a slow (TCG) VM kept it busy past 10 s, and bunbox gave up on a scope that
 * systemd was about to make.
 */
export const DEFAULT_TIMEOUT_MS = 25_000;
export const DISCONNECTED = "org.freedesktop.DBus.Error.Disconnected";

export interface MethodCall {
  destination?: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: DBusValue[];
}

// Signals nobody waits for would pile up on a connection that subscribed to all of systemd's
const MAX_KEPT_SIGNALS = 1024;

export class DBusConnection {
  private serial = 0;
  private pending = new Uint8Array(0);
  private signals: Message[] = [];
  private closed = false;

  constructor(
    private readonly stream: ByteStream,
    readonly timeoutMs = DEFAULT_TIMEOUT_MS,
    /** Which signals to keep for waitForSignal (all by default). */
    private readonly keepSignal: (m: Message) => boolean = () => true,
    initial: Uint8Array = new Uint8Array(0),
  ) {
    this.pending = initial;
  }

  /** Calls a method and returns its reply's body; an error reply throws DBusError. */
  call(c: MethodCall, timeoutMs = this.timeoutMs): DBusValue[] {
    if (this.closed) throw new DBusError(DISCONNECTED, "the connection is closed");
    const serial = this.nextSerial();
    this.stream.write(encodeMessage({ type: MessageType.MethodCall, serial, ...c }));
    const deadline = performance.now() + timeoutMs;
    const what = `${c.interface}.${c.member}`;
    for (;;) {
      const m = this.receive(deadline, `no reply to ${what} within ${seconds(timeoutMs)}`);
      if (m.replySerial !== serial || (m.type !== MessageType.MethodReturn && m.type !== MessageType.Error)) {
        this.dispatch(m);
        continue;
      }
      if (m.type === MessageType.Error) {
        const text = typeof m.body?.[0] === "string" ? (m.body[0] as string) : "";
        throw new DBusError(m.errorName!, text);
      }
      return m.body ?? [];
    }
  }

  /** The first signal (kept earlier or arriving now) that `match` accepts. */
  waitForSignal(match: (m: Message) => boolean, what: string, timeoutMs = this.timeoutMs): Message {
    const i = this.signals.findIndex(match);
    if (i >= 0) return this.signals.splice(i, 1)[0]!;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = this.receive(deadline, `no ${what} within ${seconds(timeoutMs)}`);
      if (m.type === MessageType.Signal && match(m)) return m;
      this.dispatch(m);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
  }

  private nextSerial(): number {
    this.serial = this.serial >= 0xffffffff ? 1 : this.serial + 1;
    return this.serial;
  }

  /** A message nobody is waiting for right now. */
  private dispatch(m: Message): void {
    if (m.type === MessageType.Signal) {
      if (!this.keepSignal(m)) return;
      this.signals.push(m);
      if (this.signals.length > MAX_KEPT_SIGNALS) this.signals.shift();
    } else if (m.type === MessageType.MethodCall && !((m.flags ?? 0) & 1)) {
      // A peer calling us (a bus Ping, say) gets the standard refusal rather than silence
      this.stream.write(
        encodeMessage({
          type: MessageType.Error, serial: this.nextSerial(), replySerial: m.serial, destination: m.sender,
          errorName: "org.freedesktop.DBus.Error.UnknownMethod", signature: "s", body: ["bunbox answers no calls"],
        }),
      );
    }
    // stale replies (to calls that timed out) and unknown message types are dropped
  }

  /** The next whole message, reading from the stream as needed until `deadline`. */
  private receive(deadline: number, timeoutText: string): Message {
    for (;;) {
      const size = messageSize(this.pending);
      if (size !== undefined && this.pending.length >= size) {
        const m = decodeMessage(this.pending);
        this.pending = this.pending.subarray(size);
        return m;
      }
      if (this.closed) throw new DBusError(DISCONNECTED, "the connection is closed");
      const left = deadline - performance.now();
      const chunk = left > 0 ? this.stream.read(left) : null;
      if (chunk === null) throw new DBusError(NO_REPLY, timeoutText);
      if (chunk.length === 0) throw new DBusError(DISCONNECTED, "the peer closed the connection");
      const joined = new Uint8Array(this.pending.length + chunk.length);
      joined.set(this.pending);
      joined.set(chunk, this.pending.length);
      this.pending = joined;
    }
  }
}

const seconds = (ms: number) => `${+(ms / 1000).toFixed(3)} s`;
