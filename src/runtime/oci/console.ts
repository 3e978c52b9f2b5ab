// The OCI console socket: connect to the caller's unix socket and send one message whose data
// is "/dev/ptmx" carrying exactly one fd, the pty master (what containerd's shim expects).
import { connectUnix, sendFd } from "../../sys/unix-socket.ts";
import { closeSync } from "../../sys/files.ts";

export function sendConsole(socketPath: string, master: number): void {
  const sock = connectUnix(socketPath);
  try {
    sendFd(sock, Buffer.from("/dev/ptmx"), master);
  } finally {
    closeSync(sock);
  }
}
