// The D-Bus authentication handshake (D-Bus specification, "Authentication Protocol"), EXTERNAL
// mechanism only: the server already knows our uid from the socket's SO_PEERCRED, we only name it.
//   client: \0AUTH EXTERNAL <hex of the uid's decimal digits>\r\nBEGIN\r\n   (one write)
//   server: OK <server guid>\r\n      and from then on both sides speak binary messages.
// BEGIN goes with AUTH, before the OK, as systemd's own sd-bus clients send it. Sent after the OK,
// it can reach systemd (252, measured in the VM) in the same read as our first message: systemd
// then starts the connection with that message sitting in its buffer and never looks at it, and
// the call gets no reply (7 of 14 connections opened right after a scope was stopped; 0 of 21
// pipelined). Pipelined, BEGIN is read together with AUTH and the first message always comes in
// a read of its own.
import type { ByteStream } from "./dbus-connection.ts";

const MAX_LINE = 4096;

/** Hex of the ASCII decimal uid: uid 0 is "30", uid 1000 is "31303030". */
export function externalAuthId(uid: number): string {
  return Buffer.from(String(uid), "ascii").toString("hex");
}

/**
 * Authenticates as `uid` and starts the message stream. Returns the server's guid and any bytes
 * that came after its OK line (the start of the first message, if the server sent one at once).
 */
export function authenticate(stream: ByteStream, uid: number, timeoutMs: number): { guid: string; rest: Uint8Array } {
  const deadline = performance.now() + timeoutMs;
  stream.write(Buffer.from(`\0AUTH EXTERNAL ${externalAuthId(uid)}\r\nBEGIN\r\n`, "ascii"));
  let got = Buffer.alloc(0);
  let end: number;
  while ((end = got.indexOf("\r\n")) < 0) {
    if (got.length > MAX_LINE) throw new Error(`dbus: authentication: reply line longer than ${MAX_LINE} bytes`);
    const chunk = stream.read(deadline - performance.now());
    if (chunk === null) throw new Error(`dbus: authentication: no reply within ${Math.round(timeoutMs / 1000)} s`);
    if (chunk.length === 0) throw new Error("dbus: authentication: the server closed the connection");
    got = Buffer.concat([got, chunk]);
  }
  const line = got.subarray(0, end).toString("latin1");
  const ok = /^OK ([0-9a-f]{32})$/.exec(line);
  if (!ok) throw new Error(`dbus: authentication as uid ${uid} refused: ${JSON.stringify(line.slice(0, 200))}`);
  return { guid: ok[1]!, rest: new Uint8Array(got.subarray(end + 2)) };
}
