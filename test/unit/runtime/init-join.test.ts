// The init stage joins its own cgroup (sync.ts "join-cgroup") before it reads its plan: against
// the recording fake, the writes come first, and a join that fails is reported as the "cgroup"
// step, with nothing of the plan applied.
import { describe, expect, test } from "bun:test";
import { FakeSys } from "../../fake-sys.ts";
import { runInitStage } from "../../../src/runtime/init-stage.ts";

/** The parent's side of the sync channel (fd 3): these messages, then EOF. */
function parentSends(sys: FakeSys, ...messages: unknown[]): void {
  for (const m of messages) {
    const bytes = Buffer.from(JSON.stringify(m) + "\n");
    sys.on("readSome", (_fd, buf) => { buf.set(bytes); return bytes.length; }, "fd 3", 1);
  }
  sys.answer("readSome", 0, "fd 3");
}

const procs = ["/sys/fs/cgroup/memory/bunbox/c0ffee/cgroup.procs", "/sys/fs/cgroup/pids/bunbox/c0ffee/cgroup.procs"];

/** What the stage wrote to the parent (fd 3), as messages. */
const toParent = (sys: FakeSys) => sys.of("writeAll").filter((c) => c.path === "fd 3").map((c) => JSON.parse(String(c.args[1])));

describe("the init stage joins its cgroup before its plan", () => {
  test("it writes 0 (itself) to each cgroup.procs, then reads the plan (here: EOF, so it exits quietly)", async () => {
    const sys = new FakeSys();
    parentSends(sys, { type: "join-cgroup", procs });
    expect(await runInitStage(sys)).toBe(125);
    const writes = sys.of("writeAll").filter((c) => c.path !== "fd 3");
    expect(writes.map((c) => [c.path, String(c.args[1])])).toEqual(procs.map((p) => [p, "0"]));
    // Joined before the second read of the channel (the plan)
    const reads = sys.calls.flatMap((c, i) => (c.call === "readSome" ? [i] : []));
    expect(sys.indexOf((c) => c.call === "writeAll" && c.path === procs[1])).toBeLessThan(reads[1]!);
    expect(toParent(sys)).toEqual([]);
  });

  test("a join the kernel refuses is one error naming the cgroup step and the file, and no plan is read", async () => {
    const sys = new FakeSys();
    parentSends(sys, { type: "join-cgroup", procs }, { type: "plan", steps: [], waitForStart: false });
    sys.fail("open", "EACCES", procs[1]);
    expect(await runInitStage(sys)).toBe(125);
    const [error, ...rest] = toParent(sys);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ type: "error", step: "cgroup", errno: "EACCES", path: procs[1], exitCode: 125 });
    expect(sys.of("readSome").length).toBe(1);
  });
});
