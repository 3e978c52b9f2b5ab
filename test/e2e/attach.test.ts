// run -a stdin|stdout|stderr: only the attached streams reach bunbox's own; the others are drained
// (the container never blocks on them) and dropped, as with docker run -a.
import { afterAll, expect, test } from "bun:test";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

const both = ["busybox", "sh", "-c", "echo out; echo err >&2; exit 3"];

test("-a picks the streams; none given is stdout and stderr", () => {
  expect(sb.box(both)).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n" });
  expect(sb.box(["-a", "stdout", ...both])).toMatchObject({ code: 3, stdout: "out\n", stderr: "" });
  expect(sb.box(["-a", "STDERR", ...both])).toMatchObject({ code: 3, stdout: "", stderr: "err\n" });
  expect(sb.box(["-a", "stdout", "--attach=stderr", ...both])).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n" });
  // -a stdin alone: no output attached; without -i the container's stdin is still /dev/null
  expect(sb.box(["-a", "stdin", "busybox", "sh", "-c", "cat; echo out; echo err >&2"], { stdin: "typed\n" })).toMatchObject({ code: 0, stdout: "", stderr: "" });
  // -i attaches stdin whatever -a says
  expect(sb.box(["-i", "-a", "stdout", "busybox", "cat"], { stdin: "typed\n" })).toMatchObject({ code: 0, stdout: "typed\n" });
});

test("-t: the pty is one stream, stdout: -a stderr shows nothing of it, -a stdout all", () => {
  expect(sb.box(["-t", "-a", "stderr", "busybox", "sh", "-c", "echo out; echo err >&2"])).toMatchObject({ code: 0, stdout: "", stderr: "" });
  expect(sb.box(["-t", "-a", "stdout", "busybox", "sh", "-c", "echo out; echo err >&2"])).toMatchObject({ code: 0, stdout: "out\r\nerr\r\n" });
});

test("an unattached stream is drained: a container writing megabytes to it does not block", () => {
  const r = sb.box(["-a", "stderr", "busybox", "sh", "-c", "head -c 4000000 /dev/zero; echo done >&2"], { timeoutMs: 20_000 });
  expect(r).toMatchObject({ code: 0, stdout: "", stderr: "done\n" });
});

test("Docker's refusals: a stream that is not one, and -a with -d", () => {
  expect(sb.box(["-a", "stdfoo", "busybox", "true"])).toMatchObject({ code: 125, stderr: `bunbox: invalid argument "stdfoo" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR\n` });
  expect(sb.run(["run", "-d", "-a", "stdout", "busybox", "true"])).toMatchObject({ code: 125, stderr: "bunbox: Conflicting options: -a and -d\n" });
  expect(sb.run(["create", "-a", "nope", "busybox", "true"]).code).toBe(125);
});
