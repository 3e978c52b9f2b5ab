// --ipc and --pid: a namespace of the container's own, the host's, or another running container's
// (joined by /proc/<pid>/ns path); Docker's refusals when the other one cannot be joined.
import { afterAll, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "donor", "private", "pidtarget"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

const ok = (args: string[], stdin?: string) => sb.ok(args, stdin === undefined ? {} : { stdin });

test("--pid host sees the host's processes; --pid container:NAME sees that container's", () => {
  const hostNs = readlinkSync("/proc/self/ns/pid");
  expect(ok(["run", "--rm", "--pid", "host", "busybox", "readlink", "/proc/self/ns/pid"]).trim()).toBe(hostNs);
  expect(ok(["run", "--rm", "busybox", "readlink", "/proc/self/ns/pid"]).trim()).not.toBe(hostNs);
  ok(["run", "-d", "--name", "pidtarget", "busybox", "sleep", "60"]);
  const pid = ok(["inspect", "-f", "{{.State.Pid}}", "pidtarget"]).trim();
  const theirs = readlinkSync(`/proc/${pid}/ns/pid`);
  // its PID 1 is the other container's sleep; ours is a process of that namespace too
  const seen = ok(["run", "--rm", "--pid", "container:pidtarget", "busybox", "sh", "-c", "readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr '\\0' ' '"]);
  expect(seen).toBe(`${theirs}\nsleep 60 `);
  // and detached, with the other one's processes to signal
  expect(ok(["run", "--rm", "--pid=container:pidtarget", "busybox", "kill", "-0", "1"])).toBe("");
  expect(ok(["inspect", "-f", "{{.HostConfig.PidMode}}", "pidtarget"])).toBe("\n");
  // explain says so: no new pid namespace, and no ipc one with --ipc host
  const plan = ok(["explain", "run", "--pid", "host", "--ipc", "host", "busybox", "true"]);
  expect(plan).not.toContain("CLONE_NEWPID");
  expect(plan).not.toContain("CLONE_NEWIPC");
  expect(ok(["explain", "run", "busybox", "true"])).toContain("unshare(CLONE_NEWPID)");
  ok(["create", "--name", "private", "--pid", "host", "busybox", "true"]);
  expect(ok(["inspect", "-f", "{{.HostConfig.PidMode}}", "private"])).toBe("host\n");
  ok(["rm", "private"]);
});

test("--ipc: shareable donors can be joined; host; none; Docker's refusals", () => {
  const hostIpc = readlinkSync("/proc/self/ns/ipc");
  expect(ok(["run", "--rm", "--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc"]).trim()).toBe(hostIpc);
  expect(ok(["run", "--rm", "--ipc", "none", "busybox", "sh", "-c", "grep -c ' /dev/shm ' /proc/mounts || true"])).toBe("0\n");
  ok(["run", "-d", "--name", "donor", "--ipc", "shareable", "busybox", "sleep", "60"]);
  ok(["run", "-d", "--name", "private", "busybox", "sleep", "60"]);
  expect(ok(["inspect", "-f", "{{.HostConfig.IpcMode}}", "donor"])).toBe("shareable\n");
  expect(ok(["inspect", "-f", "{{.HostConfig.IpcMode}}", "private"])).toBe("private\n");
  // the container that joined is in the donor's IPC namespace (SysV IPC, message queues), a plain one is not
  const donorIpc = readlinkSync(`/proc/${ok(["inspect", "-f", "{{.State.Pid}}", "donor"]).trim()}/ns/ipc`);
  expect(ok(["run", "--rm", "--ipc", "container:donor", "busybox", "readlink", "/proc/self/ns/ipc"])).toBe(`${donorIpc}\n`);
  expect(ok(["run", "--rm", "busybox", "readlink", "/proc/self/ns/ipc"])).not.toBe(`${donorIpc}\n`);
  const before = sb.leftovers().length;
  const notShareable = sb.run(["run", "--rm", "--ipc", "container:private", "busybox", "true"]);
  expect(notShareable).toMatchObject({ code: 125, stderr: "bunbox: can't join IPC of container private: non-shareable IPC (hint: use IpcMode:shareable for the donor container)\n" });
  ok(["stop", "-t", "0", "donor"]);
  const stopped = sb.run(["run", "--rm", "--ipc", "container:donor", "busybox", "true"]);
  expect(stopped.code).toBe(125);
  expect(stopped.stderr).toMatch(/^bunbox: can't join IPC of container donor: container [0-9a-f]{64} is not running\n$/);
  const missing = sb.run(["run", "--rm", "--pid", "container:nope", "busybox", "true"]);
  expect(missing).toMatchObject({ code: 125, stderr: "bunbox: cannot join PID of a non running container: No such container: nope\n" });
  expect(sb.run(["run", "--rm", "--ipc", "bogus", "busybox", "true"])).toMatchObject({ code: 125, stderr: "bunbox: --ipc: invalid IPC mode\n" });
  expect(sb.run(["run", "--rm", "--pid", "container:", "busybox", "true"])).toMatchObject({ code: 125, stderr: "bunbox: --pid: invalid PID mode\n" });
  expect(sb.leftovers().length).toBe(before); // nothing from the refused runs
});
