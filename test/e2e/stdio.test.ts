// An attached container's stdio are pipes that bunbox copies, never bunbox's own terminal or
// files (security round two, escape 1): a container holding the user's terminal could read what
// is typed and push keystrokes into the host shell (TIOCSTI), and one given a host file as stdout
// could read and truncate it. The copy must still lose nothing and keep EOF and exit statuses.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { Sandbox, BIN } from "./harness.ts";

const sb = new Sandbox();
const work = mkdtempSync(`${tmpdir()}/bunbox-stdio-`);
afterAll(() => {
  sb.run(["rm", "-f", "stdio-target"]);
  sb.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", NO_COLOR: "1", BUNBOX_ROOT: sb.root, TERM: "dumb" };
/** What the container says of its fds 0-2: a tty, a fifo, /dev/null (a character device). */
const KINDS = `for f in 0 1 2; do printf "%s:" $f; if [ -t $f ]; then echo tty; else stat -L -c %F /proc/self/fd/$f; fi; done`;

/** Runs `command` with a pty as bunbox's controlling terminal and stdio, as an interactive shell does. */
function inTerminal(command: string) {
  const r = Bun.spawnSync(["script", "-qec", command, "/dev/null"], { env: ENV, stdin: "ignore", timeout: 30_000 });
  return { code: r.exitCode, out: r.stdout.toString().replaceAll("\r", "") };
}

describe("bunbox in a terminal", () => {
  test("run without -t: the container gets no fd of the terminal", () => {
    expect(inTerminal(`/bin/sh -c '[ -t 1 ] && echo tty'`).out).toBe("tty\n"); // the check can see one
    expect(inTerminal(`${BIN} run --rm busybox sh -c '${KINDS}'`)).toEqual({ code: 0, out: "0:character special file\n1:fifo\n2:fifo\n" });
    expect(inTerminal(`${BIN} run --rm -i busybox sh -c '${KINDS}'`)).toEqual({ code: 0, out: "0:fifo\n1:fifo\n2:fifo\n" });
  });

  test("exec without -t, and exec -d: none either", () => {
    expect(sb.run(["run", "-d", "--name", "stdio-target", "busybox", "sleep", "60"]).code).toBe(0);
    expect(inTerminal(`${BIN} exec stdio-target sh -c '${KINDS}'`)).toEqual({ code: 0, out: "0:character special file\n1:fifo\n2:fifo\n" });
    expect(inTerminal(`${BIN} exec -i stdio-target sh -c '${KINDS}'`)).toEqual({ code: 0, out: "0:fifo\n1:fifo\n2:fifo\n" });
    // A detached exec outlives bunbox: it must not keep bunbox's terminal either (the shell's own
    // fds are read from a subshell: busybox runs stat inside the shell with fd 1 redirected)
    expect(inTerminal(`${BIN} exec -d stdio-target sh -c 'for f in 0 1 2; do k=$(stat -L -c "%F %t:%T" /proc/$$/fd/$f); echo "$k" >> /tmp/fds; done'`).code).toBe(0);
    let fds = "";
    for (let i = 0; i < 50 && fds.split("\n").length < 4; i++, Bun.sleepSync(100)) fds = sb.run(["exec", "stdio-target", "cat", "/tmp/fds"]).stdout;
    expect(fds).toBe("character special file 1:3\n".repeat(3)); // /dev/null, all three
  });
});

describe("bunbox's stdout is a host file", () => {
  test("the container can neither read nor truncate it", () => {
    const log = `${work}/out.log`;
    writeFileSync(log, "precious\n");
    const fd = openSync(log, "a");
    const r = Bun.spawnSync([BIN, "run", "--rm", "busybox", "sh", "-c", `stat -L -c %F /proc/self/fd/1 >&2; : > /proc/self/fd/1; echo appended`], { env: ENV, stdout: fd, stderr: "pipe", stdin: "ignore" });
    closeSync(fd);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.toString()).toBe("fifo\n");
    expect(readFileSync(log, "utf8")).toBe("precious\nappended\n");
  });
});

describe("a detached container's output", () => {
  test("goes through real pipes (a socket cannot be opened as /dev/stdout) into its log", () => {
    const id = sb.run(["run", "-d", "busybox", "sh", "-c", "echo via-dev-stdout > /dev/stdout; echo via-stderr >&2; stat -L -c %F /proc/self/fd/1"]).stdout.trim();
    expect(sb.run(["wait", id]).stdout).toBe("0\n");
    const logs = sb.run(["logs", id]);
    expect(logs.stdout).toBe("via-dev-stdout\nfifo\n");
    expect(logs.stderr).toBe("via-stderr\n");
    sb.run(["rm", id]);
  });
});

describe("the copy loses nothing", () => {
  test("-i: 8 MiB through cat comes out whole; EOF ends it; its status is kept", () => {
    const data = randomBytes(8 << 20);
    const r = Bun.spawnSync([BIN, "run", "--rm", "-i", "busybox", "sh", "-c", "cat; exit 7"], { env: ENV, stdin: data, stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(7);
    expect(createHash("sha256").update(r.stdout).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
  });

  test("stdout and stderr stay apart, and what is written just before the end arrives", () => {
    const r = Bun.spawnSync([BIN, "run", "--rm", "busybox", "sh", "-c", "seq 1 20000; echo done >&2"], { env: ENV, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.toString().split("\n");
    expect(lines.length).toBe(20001);
    expect(lines[19999]).toBe("20000");
    expect(r.stderr.toString()).toBe("done\n");
  });

  test("a reader that goes away ends the writer, as without bunbox in between", () => {
    const r = Bun.spawnSync(["sh", "-c", `${BIN} run --rm busybox sh -c 'yes; true' | head -c 4; echo " $?"`], { env: ENV, stdin: "ignore", timeout: 20_000 });
    expect(r.stdout.toString()).toBe("y\ny\n 0\n");
  });
});
