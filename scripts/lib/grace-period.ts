// The bench's "kernel wait" row: how long one process's first move into a fresh cgroup takes.
// Writing a pid to cgroup.procs takes the kernel's threadgroup lock for writing
// (percpu_down_write), which first waits out an RCU grace period unless another move happened
// within one. runc and bunbox each pay it once per container start, so it is the part of both
// that no runtime code can shorten; the bench prints it beside them.
//
// Only in a cgroup of the bench's own making, below the v1 memory cgroup it runs in (hybrid and
// v1 hosts, as this lab's); a v2 host's cgroup may be a session's or a service's, with other
// processes in it, so there the row says n/a.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";

/** ms for each of `runs` first moves, or why it was not measured. */
export async function firstMoveMs(runs: number): Promise<number[] | string> {
  const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => l.split(":")[1]?.split(",").includes("memory"));
  if (!line) return "no v1 memory hierarchy (a v2 host)";
  const own = `/sys/fs/cgroup/memory${line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1)}`;
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = `${own}/bunbox-bench-move-${process.pid}-${i}`;
    mkdirSync(dir);
    const child = Bun.spawn(["sleep", "10"], { stdio: ["ignore", "ignore", "ignore"] });
    try {
      // Long enough for the last move's grace period (this process's spawn included) to be over
      await Bun.sleep(300);
      const t = performance.now();
      writeFileSync(`${dir}/cgroup.procs`, String(child.pid));
      out.push(performance.now() - t);
    } finally {
      child.kill("SIGKILL");
      await child.exited;
      rmdirSync(dir);
    }
  }
  return out;
}
