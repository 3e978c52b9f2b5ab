// What createContainer undoes when setup fails, without root: the cgroup is a fake cgroupfs in a
// temp dir, the init stage a stand-in whose sync channel runs over the recording fake of Sys.
// The init's own steps (overlay mount, binds, /proc …) happen in its mount namespace and go with
// it (apply-plan.test.ts); what the parent made is the init process and the cgroup.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Subprocess } from "bun";
import { FakeSys } from "../../fake-sys.ts";
import { createContainer } from "../../../src/runtime/create.ts";
import { SyncChannel, type FromInit } from "../../../src/runtime/sync.ts";
import { parseCgroupHost } from "../../../src/cgroups/layout.ts";
import { specFromFlags, type RunFlags } from "../../../src/config/from-flags.ts";
import { resourcesFromFlags, type ResourceFlags } from "../../../src/config/resource-flags.ts";
import { appArmorHost } from "../../../src/host/apparmor.ts";
import { probeHost } from "../../../src/host/probe.ts";
import { fakeHost } from "../apparmor/fake-host.ts";

const ID = "c0ffee".padEnd(64, "0");
const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "", group: "" };
const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "" };
const paths = { id: ID, rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const resources = (f: Partial<ResourceFlags>) => ({ resources: resourcesFromFlags({ deviceReadBps: [], deviceWriteBps: [], ulimits: [], ...f }, { cpus: "0", mems: "0", blockDevice: () => undefined }) });
const flags = (over: Partial<RunFlags>): RunFlags => ({ env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: ["sh"], ...over });

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A v1 host with memory and pids hierarchies, this process at their roots. */
function fakeCgroupfs() {
  root = mkdtempSync(`${tmpdir()}/cg-create-`);
  const ctrls = ["memory", "pids"];
  for (const c of ctrls) mkdirSync(`${root}/sys/fs/cgroup/${c}`, { recursive: true });
  const mountinfo = ctrls.map((c, i) => `${30 + i} 1 0:${30 + i} / /sys/fs/cgroup/${c} rw - cgroup cgroup rw,${c}`).join("\n") + "\n";
  return parseCgroupHost(mountinfo, ctrls.map((c, i) => `${i + 1}:${c}:/`).join("\n") + "\n");
}

/** Every directory below the cgroupfs roots (what a container's cgroup leaves behind). */
function cgroupDirs(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = `${d}/${name}`;
      if (statSync(p).isDirectory()) { out.push(p.slice(root.length)); walk(p); }
    }
  };
  walk(`${root}/sys/fs/cgroup`);
  return out.filter((d) => !/^\/sys\/fs\/cgroup\/(memory|pids)$/.test(d));
}

/**
 * The init stage as createContainer sees it: a pid, kill, exited, and the parent's end of the sync
 * channel (an fd of the fake), which answers the plan with `reply` (or EOF). A cgroupfs directory's
 * control files go with its rmdir; a temp dir's are real files that would make rmdir say ENOTEMPTY.
 * They are taken away (and noted) when the init is killed, which createContainer's undo does
 * first: the directories are then gone only if it also removed them.
 */
function fakeInit(sys: FakeSys, reply: FromInit | null) {
  const events: string[] = [], files: string[] = [];
  const bytes = reply ? Buffer.from(JSON.stringify(reply) + "\n") : Buffer.alloc(0);
  sys.on("readSome", (_fd, buf) => { buf.set(bytes); return bytes.length; }, "parent end", 1);
  sys.answer("readSome", 0, "parent end");
  let exit!: (code: number) => void;
  const proc = {
    pid: 4242,
    kill(signal: number) {
      events.push(`kill ${signal}`);
      for (const d of cgroupDirs()) {
        for (const f of readdirSync(`${root}${d}`)) {
          if (statSync(`${root}${d}/${f}`).isDirectory()) continue;
          files.push(`${d.slice(d.lastIndexOf("/") + 1, d.lastIndexOf("/") + 7)}/${f}`);
          unlinkSync(`${root}${d}/${f}`);
        }
      }
      exit(128 + signal);
    },
    exited: new Promise<number>((resolve) => (exit = resolve)).then((code) => { events.push("exited"); return code; }),
  };
  const fd = sys.open("parent end", 0);
  return { init: { proc: proc as unknown as Subprocess, channel: new SyncChannel(sys, fd) }, events, files, fd };
}

/** A host without AppArmor (as this lab machine). */
const noAppArmor = appArmorHost(fakeHost({}));
/** The probe of a host with none of the files it reads (no /proc/kcore: no /dev/core link planned). */
const bareHost = probeHost({ ...fakeHost({}), list: () => [] });

async function failedCreate(over: Partial<RunFlags>, reply: FromInit | null, script?: (sys: FakeSys) => void) {
  const sys = new FakeSys();
  script?.(sys);
  const cgroupHost = fakeCgroupfs();
  const { init, events, files, fd } = fakeInit(sys, reply);
  const spawned: string[] = [];
  const spec = specFromFlags(flags(over), image, host, paths).spec;
  let error: Error | undefined;
  try {
    await createContainer(spec, ID, {
      stdio: ["inherit", "inherit", "inherit"], waitForStart: false, init,
      onSpawned: (pid, cg) => void spawned.push(`${pid} in ${cg.dirs.map((d) => d.slice(root.length)).join(", ")}`),
    }, { sys, cgroupHost, cgroupRoot: root, appArmor: noAppArmor, host: bareHost });
  } catch (e) {
    error = e as Error;
  }
  return { sys, error, events, files, spawned, fd };
}

describe("a failed create undoes what the parent made", () => {
  const stepFailed: FromInit = { type: "error", step: "mount", call: "mount", path: "/proc", errno: "EPERM", message: "mount proc on /proc: EPERM (operation not permitted)", exitCode: 125 };

  test("the init reports a failed step: the init is killed and reaped, then its cgroup (limits and all) is removed", async () => {
    const { sys, error, events, files, spawned, fd } = await failedCreate(resources({ memory: "64m", pidsLimit: "10" }), stepFailed);
    expect(error?.message).toBe('container setup failed at step "mount": mount proc on /proc: EPERM (operation not permitted)');
    // It was in a cgroup of its own, in both hierarchies, before it got its plan
    expect(spawned).toEqual([`4242 in /sys/fs/cgroup/memory/bunbox/${ID}, /sys/fs/cgroup/pids/bunbox/${ID}`]);
    // The init is told to join its cgroup first (it moves itself, sync.ts), then gets its plan
    expect(sys.of("writeAll").map((c) => `${c.path}: ${String(c.args[1]).slice(0, 21)}`)).toEqual(['parent end: {"type":"join-cgroup"', "/proc/4242/oom_score_adj: 0", 'parent end: {"type":"plan","steps']);
    const join = JSON.parse(String(sys.of("writeAll")[0]!.args[1]));
    expect(join.procs.map((p: string) => p.slice(root.length))).toEqual([`/sys/fs/cgroup/memory/bunbox/${ID}/cgroup.procs`, `/sys/fs/cgroup/pids/bunbox/${ID}/cgroup.procs`]);
    expect(events).toEqual(["kill 9", "exited"]);
    // What the cgroup held when its init was killed: the limits
    expect(files.sort()).toEqual(["c0ffee/memory.limit_in_bytes", "c0ffee/pids.max"].sort());
    expect(sys.of("close").map((c) => c.args[0])).toContain(fd);
    expect(cgroupDirs()).toEqual([]);
  });

  test("the init exits without a word: the same", async () => {
    const { error, events } = await failedCreate({}, null);
    expect(error?.message).toBe("container init exited during setup");
    expect(events).toEqual(["kill 9", "exited"]);
    expect(cgroupDirs()).toEqual([]);
  });

  test("a parent-side step fails after the cgroup was made (--oom-score-adj on a pid that is gone): the same", async () => {
    const { sys, error, events } = await failedCreate(resources({ oomScoreAdj: "500" }), stepFailed, (sys) => sys.fail("open", "ENOENT", "/proc/4242/oom_score_adj"));
    expect(error?.message).toStartWith("cannot set --oom-score-adj 500: write /proc/4242/oom_score_adj:");
    // The plan was never sent (only the order to join the cgroup)
    expect(sys.of("writeAll").filter((c) => c.path === "parent end").map((c) => JSON.parse(String(c.args[1])).type)).toEqual(["join-cgroup"]);
    expect(events).toEqual(["kill 9", "exited"]);
    expect(cgroupDirs()).toEqual([]);
  });
});
