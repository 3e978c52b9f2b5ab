// `bunbox runc` driven directly, as containerd's shim drives it: the state machine and runc's
// answers for wrong transitions, the pid file, the exec fifo, exec, ps, pause, update, hooks,
// the console socket (SCM_RIGHTS), the --log JSON lines, argv0 dispatch.
import { afterAll, describe, expect, test } from "bun:test";
import { golden } from "../golden.ts";
import { readFileSync, existsSync, symlinkSync, writeFileSync, chmodSync, mkdirSync, readlinkSync, copyFileSync } from "node:fs";
import { RuncSandbox, cgroupFile } from "./runc-harness.ts";
import { MINIMAL } from "../../scripts/build-probe.ts";
import { BIN } from "./harness.ts";

const sb = new RuncSandbox();
afterAll(() => {
  sb.cleanup();
});

const sleeper = (name: string) => sb.bundle(name, (s) => { s.process.args = ["sh", "-c", "echo started; exec sleep 60"]; });
const waitFor = async (cond: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await Bun.sleep(20)) if (cond()) return true;
  return false;
};

describe("run", () => {
  test("foreground: the program's output and exit status; nothing left", () => {
    const b = sb.bundle("run1", (s) => { s.process.args = ["sh", "-c", "echo hi from $(hostname); exit 3"]; });
    const r = sb.runc(["run", "--bundle", b, "r1"]);
    expect(r.stdout).toBe("hi from runc\n");
    expect(r.code).toBe(3);
    expect(sb.ok(["list", "-q"])).toBe("");
  });
});

describe("create, start, state, kill, delete", () => {
  test("the lifecycle with runc's words for every wrong transition", async () => {
    const b = sleeper("life");
    const io = `${sb.dir}/life.out`;
    const pidFile = `${sb.dir}/life.pid`;
    const created = sb.runc(["create", "--bundle", b, "--pid-file", pidFile, "c1"], { io });
    expect(created.code).toBe(0);
    expect(readFileSync(io, "utf8")).toBe(""); // create prints nothing, and the program has not run
    const pid = readFileSync(pidFile, "utf8");
    expect(pid).toMatch(/^\d+$/); // no newline
    const state = JSON.parse(sb.ok(["state", "c1"]));
    expect(state).toMatchObject({ ociVersion: "1.2.0", id: "c1", pid: Number(pid), status: "created", bundle: b, rootfs: sb.rootfs, owner: "" });
    expect(existsSync(`${sb.root}/c1/exec.fifo`)).toBe(true);
    // the init is not our child any more: create exited, it was re-parented
    expect(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]).not.toBe(String(process.pid));

    expect(sb.runc(["create", "--bundle", b, "c1"]).stderr).toContain("container with given ID already exists");
    expect(sb.ok(["start", "c1"])).toBe("");
    expect(existsSync(`${sb.root}/c1/exec.fifo`)).toBe(false);
    expect(await waitFor(() => readFileSync(io, "utf8") === "started\n")).toBe(true);
    expect(sb.status("c1")).toBe("running");
    expect(sb.runc(["start", "c1"]).stderr).toContain("cannot start an already running container");
    const del = sb.runc(["delete", "c1"]);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain("cannot delete container c1 that is not stopped: running");
    expect(sb.status("c1")).toBe("running");

    expect(JSON.parse(sb.ok(["ps", "--format", "json", "c1"]))).toEqual([Number(pid)]);
    sb.ok(["pause", "c1"]);
    expect(sb.status("c1")).toBe("paused");
    expect(sb.runc(["pause", "c1"]).stderr).toContain("container not running");
    sb.ok(["resume", "c1"]);
    expect(sb.runc(["resume", "c1"]).stderr).toContain("container not paused");
    expect(sb.status("c1")).toBe("running");

    sb.ok(["kill", "c1", "KILL"]);
    expect(await waitFor(() => sb.status("c1") === "stopped")).toBe(true);
    expect(JSON.parse(sb.ok(["state", "c1"])).pid).toBe(0);
    expect(sb.runc(["kill", "c1", "15"]).stderr).toContain("container not running");
    expect(sb.runc(["start", "c1"]).stderr).toContain("cannot start a container that has stopped");
    sb.ok(["delete", "c1"]);
    expect(sb.runc(["state", "c1"]).stderr).toContain("container does not exist");
    expect(sb.runc(["delete", "c1"]).code).toBe(1);
    expect(sb.runc(["delete", "--force", "c1"]).code).toBe(0);
  });

  test("a created container can be deleted (its blocked init is killed)", async () => {
    const pidFile = `${sb.dir}/c2.pid`;
    sb.ok(["create", "--bundle", sleeper("c2"), "--pid-file", pidFile, "c2"], { io: `${sb.dir}/c2.out` });
    const pid = Number(readFileSync(pidFile, "utf8"));
    sb.ok(["delete", "c2"]);
    expect(await waitFor(() => !existsSync(`/proc/${pid}/status`) || readFileSync(`/proc/${pid}/status`, "utf8").includes("zombie"))).toBe(true);
    expect(readFileSync(`${sb.dir}/c2.out`, "utf8")).toBe("");
  });

  test("delete --force of a running container", () => {
    sb.ok(["run", "--detach", "--bundle", sleeper("c3"), "c3"], { io: `${sb.dir}/c3.out` });
    expect(sb.status("c3")).toBe("running");
    sb.ok(["delete", "--force", "c3"]);
    expect(sb.ok(["list", "-q"])).not.toContain("c3");
  });
});

describe("errors", () => {
  test("a missing command fails create with Docker's words, in the --log file as JSON lines", () => {
    const b = sb.bundle("missing", (s) => { s.process.args = ["nosuchcmd"]; });
    const log = `${sb.dir}/missing.log`;
    const r = sb.runc(["--log", log, "--log-format", "json", "create", "--bundle", b, "m1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('exec: "nosuchcmd": executable file not found in $PATH');
    const line = JSON.parse(readFileSync(log, "utf8").trim().split("\n").pop()!);
    expect(line).toMatchObject({ level: "error", msg: expect.stringContaining("executable file not found") });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sb.ok(["list", "-q"])).not.toContain("m1");
  });
  test("a non-executable one: permission denied", () => {
    const b = sb.bundle("noexec", (s) => { s.process.args = ["/etc/passwd"]; });
    expect(sb.runc(["create", "--bundle", b, "m2"]).stderr).toContain("permission denied");
  });
  test("config.json errors name the JSON path", () => {
    const b = sb.bundle("bad", (s) => { s.linux.namespaces.push({ type: "nope" }); });
    expect(sb.runc(["create", "--bundle", b, "m3"]).stderr).toMatch(/config\.json: linux\.namespaces\.\d+\.type/);
  });
  test("--systemd-cgroup where systemd does not run cgroup v2 (this kind of host): a clear refusal, nothing made", () => {
    if (existsSync("/run/systemd/system") && !existsSync("/sys/fs/cgroup/unified") && existsSync("/sys/fs/cgroup/cgroup.controllers")) return; // the systemd VM runs it for real
    const r = sb.runc(["--systemd-cgroup", "create", "--bundle", sleeper("m4"), "m4"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--systemd-cgroup: (systemd is not running on this host|this host's cgroups are (v1|hybrid))/);
    expect(sb.runc(["state", "m4"]).code).toBe(1);
  });
});

describe("the cgroup made before the bundle is checked (v1 and hybrid hosts)", () => {
  test("a create that fails after it (an id in use, a label this host cannot apply) leaves another container's cgroup as it was, and none of its own", () => {
    const b = sleeper("early");
    sb.ok(["create", "--bundle", b, "held"], { io: `${sb.dir}/held.out` });
    const pid = JSON.parse(sb.ok(["state", "held"])).pid;
    const dirs = ["memory", "devices", "pids"].map((c) => cgroupFile(pid, c, "").slice(0, -1));
    const before = dirs.map((d) => [readFileSync(`${d}/cgroup.procs`, "utf8"), existsSync(`${d}/devices.list`) ? readFileSync(`${d}/devices.list`, "utf8") : ""]);
    // Its cgroupsPath is bunbox/held, the very one a second create of that id makes first
    expect(sb.runc(["create", "--bundle", b, "held"]).stderr).toContain("container with given ID already exists");
    expect(dirs.map((d) => [readFileSync(`${d}/cgroup.procs`, "utf8"), existsSync(`${d}/devices.list`) ? readFileSync(`${d}/devices.list`, "utf8") : ""])).toEqual(before);
    expect(sb.status("held")).toBe("created");
    // Refused by the checks, after its cgroup was made from the unchecked config.json: it goes with its init
    const label = sb.runc(["create", "--bundle", sb.bundle("early-label", (s) => { s.process.selinuxLabel = "system_u:system_r:container_t:s0"; }), "early-label"]);
    expect(label.code).toBe(1);
    expect(dirs.map((d) => existsSync(d.replace(/\/held(\/container)?$/, "/early-label")))).toEqual([false, false, false]);
    sb.ok(["delete", "--force", "held"]);
    expect(dirs.map((d) => existsSync(d))).toEqual([false, false, false]);
  });
});

describe("exec", () => {
  test("--process FILE --detach --pid-file, and a waited exec with flags", async () => {
    sb.ok(["run", "-d", "--bundle", sleeper("e1"), "e1"], { io: `${sb.dir}/e1.out` });
    const proc = `${sb.dir}/process.json`;
    writeFileSync(proc, JSON.stringify({ args: ["sh", "-c", "echo exec-$((6*7)) $(id -u):$(id -g) $PWD; sleep 60"], env: ["PATH=/bin:/usr/bin"], cwd: "/tmp", user: { uid: 1000, gid: 100 } }));
    const pidFile = `${sb.dir}/e1.pid`;
    const out = `${sb.dir}/e1-exec.out`;
    sb.ok(["exec", "--process", proc, "--detach", "--pid-file", pidFile, "e1"], { io: out });
    expect(readFileSync(pidFile, "utf8")).toMatch(/^\d+$/);
    expect(await waitFor(() => readFileSync(out, "utf8").includes("exec-42 1000:100 /tmp"))).toBe(true);
    expect(JSON.parse(sb.ok(["ps", "--format", "json", "e1"]))).toContain(Number(readFileSync(pidFile, "utf8")));
    expect(sb.runc(["exec", "e1", "sh", "-c", "exit 7"]).code).toBe(7);
    const missing = sb.runc(["exec", "e1", "nosuch"]);
    expect(missing.stderr).toContain('exec: "nosuch": executable file not found in $PATH');
    writeFileSync(proc, JSON.stringify({ args: ["true"], cwd: "tmp" }));
    expect(sb.runc(["exec", "--process", proc, "e1"]).stderr).toContain("cwd");
    sb.ok(["kill", "--all", "e1", "9"]);
    expect(await waitFor(() => sb.status("e1") === "stopped")).toBe(true);
    expect(sb.runc(["exec", "e1", "true"]).stderr).toContain("stopped");
    sb.ok(["delete", "e1"]);
  });
});

describe("update, hooks, console socket, argv0", () => {
  test("update --resources - writes the memory limit", () => {
    sb.ok(["run", "-d", "--bundle", sleeper("u1"), "u1"], { io: `${sb.dir}/u1.out` });
    sb.ok(["update", "--resources", "-", "u1"], { stdin: JSON.stringify({ memory: { limit: 67108864 } }) });
    const pid = JSON.parse(sb.ok(["state", "u1"])).pid;
    const cg = readFileSync(`/proc/${pid}/cgroup`, "utf8");
    const mem = /^\d+:memory:(.*)$/m.exec(cg)?.[1];
    const file = mem ? `/sys/fs/cgroup/memory${mem}/memory.limit_in_bytes` : `/sys/fs/cgroup${/^0::(.*)$/m.exec(cg)![1]}/memory.max`;
    expect(readFileSync(file, "utf8").trim()).toBe("67108864");
    expect(sb.runc(["update", "--resources", "-", "u1"], { stdin: JSON.stringify({ memory: { limit: "x" } }) }).stderr).toContain("memory.limit");
    sb.ok(["delete", "--force", "u1"]);
  });

  test("hooks get the state JSON on stdin; a failing one fails create", () => {
    const hook = `${sb.dir}/hook.sh`;
    writeFileSync(hook, `#!/bin/sh\ncat > "${sb.dir}/hook-$1.json"\n`);
    chmodSync(hook, 0o755);
    const b = sb.bundle("hooks", (s) => {
      s.process.args = ["true"];
      s.hooks = { prestart: [{ path: hook, args: ["hook.sh", "prestart"] }], poststart: [{ path: hook, args: ["hook.sh", "poststart"] }], poststop: [{ path: hook, args: ["hook.sh", "poststop"] }] };
    });
    sb.ok(["run", "--bundle", b, "h1"]);
    expect(JSON.parse(readFileSync(`${sb.dir}/hook-prestart.json`, "utf8"))).toMatchObject({ id: "h1", status: "creating", bundle: b });
    expect(JSON.parse(readFileSync(`${sb.dir}/hook-poststart.json`, "utf8"))).toMatchObject({ id: "h1" });
    expect(JSON.parse(readFileSync(`${sb.dir}/hook-poststop.json`, "utf8"))).toMatchObject({ id: "h1", status: "stopped" });
    const bad = sb.bundle("badhook", (s) => { s.hooks = { createRuntime: [{ path: "/bin/false" }] }; });
    const r = sb.runc(["create", "--bundle", bad, "h2"]);
    expect(r.stderr).toContain("error running createRuntime hook #0");
    expect(sb.ok(["list", "-q"])).not.toContain("h2");
  });

  test("createContainer hooks run in the container's namespaces before pivot_root; startContainer hooks in the container, after start", () => {
    const out = `${sb.dir}/hook-out`;
    mkdirSync(out, { recursive: true });
    const hostMnt = readlinkSync("/proc/self/ns/mnt");
    const b = sb.bundle("nshooks", (s) => {
      s.process.args = ["true"];
      s.mounts.push({ destination: "/out", type: "bind", source: out, options: ["rbind", "rw"] });
      s.hooks = {
        // A host path, run where the container's mounts are already made: its mount namespace differs from ours
        createContainer: [{ path: "/bin/sh", args: ["sh", "-c", `readlink /proc/self/ns/mnt > ${out}/create-ns; cat > ${out}/create-state.json`] }],
        // Resolved inside the container (its busybox sh), after start: the state says running
        startContainer: [{ path: "/bin/sh", args: ["sh", "-c", "cat > /out/start-state.json; hostname > /out/start-hostname"] }],
      };
    });
    sb.ok(["run", "--bundle", b, "nh1"]);
    expect(readFileSync(`${out}/create-ns`, "utf8").trim()).not.toBe(hostMnt);
    expect(JSON.parse(readFileSync(`${out}/create-state.json`, "utf8"))).toMatchObject({ id: "nh1", status: "creating" });
    expect(JSON.parse(readFileSync(`${out}/start-state.json`, "utf8"))).toMatchObject({ id: "nh1", status: "running" });
    expect(readFileSync(`${out}/start-hostname`, "utf8")).toBe("runc\n");
  });

  test("--preserve-fds N passes fds 3..3+N-1 through to the program; without it they are closed", () => {
    const file = `${sb.dir}/preserved.txt`;
    writeFileSync(file, "preserved content\n");
    const b = sb.bundle("pfd", (s) => { s.process.args = ["sh", "-c", "cat <&3 2>&1; ls /proc/self/fd | tr '\\n' ' '"]; });
    const run = (extra: string[]) => Bun.spawnSync(["sh", "-c", `"$0" "$@" 3<"${file}"`, BIN, "runc", "--root", `${sb.dir}/pfd-root`, "run", ...extra, "--bundle", b, `pfd${extra.length}`], { env: { PATH: "/usr/bin:/bin" } }).stdout.toString();
    expect(run(["--preserve-fds", "1"])).toBe("preserved content\n0 1 2 3 4 ");
    expect(run([])).toBe("0 1 2 3 "); // (cat fails: fd 3 is not there)
  });

  test("linux.devices become nodes in the container's /dev (Docker's fileMode carries the type bits)", () => {
    const b = sb.bundle("devs", (s) => {
      s.process.args = ["stat", "-c", "%A %t:%T %n", "/dev/fuse", "/dev/sub/null2"];
      s.linux.devices = [
        { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 8630, uid: 0, gid: 0 },
        { path: "/dev/sub/null2", type: "c", major: 1, minor: 3, fileMode: 0o600, uid: 0, gid: 0 },
      ];
    });
    expect(sb.ok(["run", "--bundle", b, "dv1"])).toBe(golden("runc/devices.txt", sb.ok(["run", "--bundle", b, "dv2"])));
  });

  const python = Bun.which("python3");
  test.skipIf(!python)("the console socket gets the pty master (SCM_RIGHTS); the program's tty is the container's", async () => {
    const sock = `${sb.dir}/console.sock`;
    const script = `
import socket, os, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 1024, 4)
print("name", msg.decode(), "fds", len(fds), flush=True)
out = b""
while True:
    try: d = os.read(fds[0], 1024)
    except OSError: break
    if not d: break
    out += d
print("output", out.decode().replace("\\r", ""), flush=True)
`;
    const receiver = Bun.spawn([python!, "-c", script, sock], { stdout: "pipe" });
    await waitFor(() => existsSync(sock));
    const b = sb.bundle("tty", (s) => { s.process.terminal = true; s.process.args = ["sh", "-c", "tty; echo in-tty"]; });
    const r = sb.runc(["run", "--bundle", b, "--console-socket", sock, "t1"]);
    expect(r.code).toBe(0);
    const out = await new Response(receiver.stdout).text();
    expect(out).toContain("name /dev/ptmx fds 1");
    expect(out).toContain("/dev/pts/0\nin-tty");
    expect(sb.runc(["create", "--bundle", b, "t2"]).stderr).toContain("console socket");
  });

  test("invoked as runc or bunbox-runc; --version in runc's shape", () => {
    for (const name of ["runc", "bunbox-runc"]) {
      const link = `${sb.dir}/${name}`;
      if (!existsSync(link)) symlinkSync(BIN, link);
      const r = sb.runc(["--version"], { argv0: link });
      expect(r.stdout).toMatch(/^runc version \S+\ncommit: \S+\nspec: 1\.2\.0\n$/);
      expect(sb.runc(["list", "-q"], { argv0: link }).code).toBe(0);
    }
    // dockerd --add-runtime runs the binary itself, with runc's global options
    const r = Bun.spawnSync([BIN, "--root", sb.root, "--log", `${sb.dir}/x.log`, "--log-format", "json", "state", "nope"]);
    expect(r.stderr.toString()).toContain("container does not exist");
    expect(JSON.parse(readFileSync(`${sb.dir}/x.log`, "utf8"))).toMatchObject({ level: "error", msg: "container does not exist" });
  });

  test("features and list --format json", () => {
    expect(JSON.parse(sb.ok(["features"]))).toMatchObject({ ociVersionMin: "1.0.0", linux: { cgroup: { systemd: true } } });
    expect(Array.isArray(JSON.parse(sb.ok(["list", "--format", "json"])))).toBe(true);
  });
});

describe("user namespace", () => {
  const MAP = [{ containerID: 0, hostID: 1000, size: 2000 }];
  const mapped = (s: any) => {
    s.linux.namespaces.push({ type: "user" });
    s.linux.uidMappings = MAP;
    s.linux.gidMappings = MAP;
  };
  const SHOW = "id -u; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user";

  test("a config.json with a user namespace and mappings: the asked uid_map inside, a user namespace not the host's", () => {
    const b = sb.bundle("userns", (s) => { mapped(s); s.process.args = ["sh", "-c", SHOW]; });
    const lines = sb.ok(["run", "--bundle", b, "u1"]).split("\n");
    expect(lines.slice(0, 3)).toEqual(["0", "         0       1000       2000", "         0       1000       2000"]);
    expect(lines[3]).toMatch(/^user:\[\d+\]$/);
    expect(lines[3]).not.toBe(readlinkSync("/proc/self/ns/user"));
  });

  test("a user namespace with the host's network: /sys is the host's, bound read-only (a new sysfs needs the network namespace's owner), as runc does", () => {
    const b = sb.bundle("userns-hostnet", (s) => {
      mapped(s);
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== "network");
      s.process.args = ["sh", "-c", "test -d /sys/kernel && echo sys; touch /sys/x 2>/dev/null || echo ro; grep -c ' /sys ro,' /proc/self/mountinfo; grep -c ' /sys/fs/cgroup ' /proc/self/mountinfo"];
    });
    // one /sys, read-only; one cgroup mount, the spec's (not also the host's, from a recursive bind)
    expect(sb.runc(["run", "--bundle", b, "u4"])).toEqual({ code: 0, stdout: "sys\nro\n1\n1\n", stderr: "" });
  });

  test("create/start (the exec fifo is opened by the mapped root), exec, and a second container joining the user namespace by path", async () => {
    const io = `${sb.dir}/userns-first.out`;
    const first = sb.bundle("userns-first", (s) => { mapped(s); s.process.args = ["sh", "-c", "echo started; exec sleep 60"]; });
    expect(sb.runc(["create", "--bundle", first, "u2"], { io }).code).toBe(0);
    sb.ok(["start", "u2"]);
    expect(await waitFor(() => readFileSync(io, "utf8") === "started\n")).toBe(true);
    const pid = JSON.parse(sb.ok(["state", "u2"])).pid;
    const theirs = readlinkSync(`/proc/${pid}/ns/user`);
    expect(sb.ok(["exec", "u2", "sh", "-c", "id -u; readlink /proc/self/ns/user"])).toBe(`0\n${theirs}\n`);
    const joiner = sb.bundle("userns-join", (s) => {
      s.linux.namespaces.push({ type: "user", path: `/proc/${pid}/ns/user` });
      s.process.args = ["sh", "-c", SHOW];
    });
    expect(sb.ok(["run", "--bundle", joiner, "u3"])).toBe(`0\n         0       1000       2000\n         0       1000       2000\n${theirs}\n`);
    sb.ok(["delete", "--force", "u2"]);
  });
});

// Issue 17: every property of the spec applied, or refused in one line before anything is made;
// nothing of bunbox's own under the container's seccomp filter.
describe("OCI conformance (issue 17)", () => {
  const minimalProfile = JSON.parse(readFileSync(`${import.meta.dir}/../../fixtures/seccomp/minimal.json`, "utf8"));
  const minimal = (name: string, edit: (s: any) => void = () => {}) => {
    // Once: a container still running it would make a later copy ETXTBSY
    if (!existsSync(`${sb.rootfs}/minimal`)) copyFileSync(MINIMAL, `${sb.rootfs}/minimal`);
    return sb.bundle(name, (s) => { s.process.args = ["/minimal"]; s.linux.seccomp = structuredClone(minimalProfile); edit(s); });
  };
  const cgroupV2 = existsSync("/sys/fs/cgroup/cgroup.controllers");

  test("seccomp: a profile allowing only write, exit_group and execve runs the program, with and without noNewPrivileges, by run and by create + start", async () => {
    for (const nnp of [true, false]) {
      const r = sb.runc(["run", "--bundle", minimal(`min-${nnp}`, (s) => { s.process.noNewPrivileges = nnp; }), `min-${nnp}`]);
      expect({ nnp, ...r }).toEqual({ nnp, code: 0, stdout: "minimal: ran\n", stderr: "" });
    }
    const io = `${sb.dir}/min-cs.out`;
    sb.ok(["create", "--bundle", minimal("min-cs", (s) => { s.process.noNewPrivileges = false; }), "min-cs"], { io });
    sb.ok(["start", "min-cs"]);
    await waitFor(() => readFileSync(io, "utf8") !== "");
    expect(readFileSync(io, "utf8")).toBe("minimal: ran\n");
    sb.ok(["delete", "--force", "min-cs"]);
  });

  test("seccomp: an execve failing after the filter is reported by start; when the filter refuses write too, start says so", () => {
    writeFileSync(`${sb.rootfs}/notelf`, "not a program\n");
    chmodSync(`${sb.rootfs}/notelf`, 0o755);
    const io = `${sb.dir}/notelf.out`;
    sb.ok(["create", "--bundle", minimal("notelf", (s) => { s.process.args = ["/notelf"]; s.process.noNewPrivileges = false; }), "notelf"], { io });
    const start = sb.runc(["start", "notelf"]);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain("execve /notelf: ENOEXEC (exec format error)");
    sb.ok(["delete", "--force", "notelf"]);
    const mute = minimal("mute", (s) => { s.process.args = ["/notelf"]; s.linux.seccomp.syscalls[0].names = ["execve", "exit_group"]; });
    const r = sb.runc(["run", "--bundle", mute, "mute"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("its execve failed after the seccomp filter was installed, and the filter refuses write() too");
    expect(sb.ok(["list", "-q"])).toBe("");
  });

  test("no mount namespace: the container shares bunbox's caller's, chrooted into its root, and leaves no mount behind", () => {
    const hostMnt = readlinkSync("/proc/self/ns/mnt");
    const b = sb.bundle("nomntns", (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== "mount");
      s.process.args = ["sh", "-c", "readlink /proc/self/ns/mnt; ls /bin/busybox; cat /proc/self/mountinfo | wc -l"];
    });
    const r = sb.runc(["run", "--bundle", b, "nm1"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const [mnt, busybox, mounts] = r.stdout.trim().split("\n");
    expect({ mnt, busybox }).toEqual({ mnt: hostMnt, busybox: "/bin/busybox" });
    expect(Number(mounts)).toBeGreaterThan(3); // the spec's /proc, /dev, /sys … under its root
    expect(sb.hostMounts()).toEqual([]);
    sb.ok(["create", "--bundle", b, "nm2"], { io: `${sb.dir}/nm2.out` });
    expect(sb.hostMounts().length).toBeGreaterThan(3);
    sb.ok(["delete", "--force", "nm2"]);
    expect(sb.hostMounts()).toEqual([]);
  });

  test("a mount namespace given by path: joined, the root set up there, and the exec fifo still reached after pivot_root", async () => {
    const holder = Bun.spawn(["unshare", "--mount", "--propagation", "private", "sleep", "60"]);
    try {
      await Bun.sleep(100);
      const nsPath = `/proc/${holder.pid}/ns/mnt`;
      const b = sb.bundle("mntpath", (s) => {
        for (const n of s.linux.namespaces) if (n.type === "mount") n.path = nsPath;
        s.process.args = ["sh", "-c", "readlink /proc/self/ns/mnt; exec sleep 60"];
      });
      const io = `${sb.dir}/mntpath.out`;
      sb.ok(["create", "--bundle", b, "np1"], { io });
      sb.ok(["start", "np1"]);
      expect(await waitFor(() => readFileSync(io, "utf8") !== "")).toBe(true);
      expect(readFileSync(io, "utf8")).toBe(`${readlinkSync(nsPath)}\n`);
      expect(sb.status("np1")).toBe("running");
      sb.ok(["delete", "--force", "np1"]);
    } finally {
      holder.kill(9);
    }
  });

  test("disableOOMKiller: memory.oom_control on cgroup v1; refused on v2, which has no such switch", () => {
    const b = sleeper("oomoff");
    const spec = JSON.parse(readFileSync(`${b}/config.json`, "utf8"));
    spec.linux.resources = { memory: { limit: 64 << 20, disableOOMKiller: true } };
    writeFileSync(`${b}/config.json`, JSON.stringify(spec));
    const r = sb.runc(["create", "--bundle", b, "oom1"], { io: `${sb.dir}/oom1.out` });
    if (cgroupV2) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("disableOOMKiller: cgroup v2 cannot turn off the OOM killer");
      expect(sb.runc(["state", "oom1"]).code).toBe(1);
      return;
    }
    expect(r.code).toBe(0);
    const pid = JSON.parse(sb.ok(["state", "oom1"])).pid;
    expect(readFileSync(cgroupFile(pid, "memory", "memory.oom_control"), "utf8")).toContain("oom_kill_disable 1");
    sb.ok(["delete", "--force", "oom1"]);
  });

  test("limits of controllers the host lacks (net_cls, hugetlb) are refused in one line, nothing made; applied where it has them", () => {
    const cases = [
      { name: "netcls", resources: { network: { classID: 0x100001 } }, controller: "net_cls", file: "net_cls.classid", value: "1048577" },
      { name: "hugetlb", resources: { hugepageLimits: [{ pageSize: "2MB", limit: 4 << 21 }] }, controller: "hugetlb", file: cgroupV2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes", value: String(4 << 21) },
    ];
    for (const c of cases) {
      const b = sb.bundle(c.name, (s) => { s.process.args = ["sleep", "60"]; s.linux.resources = c.resources; });
      const r = sb.runc(["create", "--bundle", b, c.name], { io: `${sb.dir}/${c.name}.out` });
      // v2: a controller the root has may still not be delegated down to bunbox's cgroup (systemd
      // enables hugetlb in no slice): then the refusal names it, as any missing one
      const has = cgroupV2
        ? c.controller !== "net_cls" && readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8").split(/\s+/).includes(c.controller) && r.code === 0
        : existsSync(`/sys/fs/cgroup/${c.controller}`);
      if (has) {
        expect({ c: c.name, code: r.code }).toEqual({ c: c.name, code: 0 });
        expect(readFileSync(cgroupFile(JSON.parse(sb.ok(["state", c.name])).pid, c.controller, c.file), "utf8").trim()).toBe(c.value);
        sb.ok(["delete", "--force", c.name]);
        continue;
      }
      expect({ c: c.name, code: r.code }).toEqual({ c: c.name, code: 1 });
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(cgroupV2 ? /cgroup v2 has no net_cls|cgroup v2 controller "hugetlb"/ : new RegExp(`this host has no v1 ${c.controller} cgroup hierarchy`));
      expect(sb.runc(["state", c.name]).code).toBe(1);
    }
  });

  test("a capability bunbox itself lacks (the host withholds CAP_SYS_RESOURCE) is refused, as runc does; an AppArmor profile or SELinux label this host cannot apply too", () => {
    const b = sb.bundle("caps", (s) => { s.process.args = ["true"]; s.process.capabilities.bounding.push("CAP_SYS_RESOURCE"); });
    const r = Bun.spawnSync(["setpriv", "--bounding-set", "-sys_resource", BIN, "runc", "--root", sb.root, "run", "--bundle", b, "caps"], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain("process.capabilities: CAP_SYS_RESOURCE not held by bunbox itself (this host withholds it)");
    expect(sb.runc(["state", "caps"]).code).toBe(1);
    // Without the withheld one, the same host runs it
    const ok = Bun.spawnSync(["setpriv", "--bounding-set", "-sys_resource", BIN, "runc", "--root", sb.root, "run", "--bundle", sb.bundle("caps2", (s) => { s.process.args = ["true"]; }), "caps2"], { env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    expect({ code: ok.exitCode, stderr: ok.stderr.toString() }).toEqual({ code: 0, stderr: "" });

    const selinux = existsSync("/sys/fs/selinux/enforce");
    const label = sb.runc(["create", "--bundle", sb.bundle("label", (s) => { s.process.selinuxLabel = "system_u:system_r:container_t:s0"; }), "label"]);
    expect(label.code).toBe(1);
    expect(label.stderr).toContain(`process.selinuxLabel cannot be applied: ${selinux ? "bunbox does not apply SELinux labels" : "SELinux is not enabled on this host"}`);
    if (existsSync("/sys/kernel/security/apparmor")) return; // apparmor.test.ts runs profiles where AppArmor is
    const aa = sb.runc(["create", "--bundle", sb.bundle("aa", (s) => { s.process.apparmorProfile = "some-profile"; }), "aa"]);
    expect(aa.code).toBe(1);
    expect(aa.stderr).toContain('AppArmor profile "some-profile" cannot be applied: AppArmor is not enabled on this host');
    expect(sb.ok(["list", "-q"])).toBe("");
  });

  test("a mount with its own id mappings (an idmapped bind mount, which features says bunbox lacks) is refused in one line, nothing made", () => {
    const b = sb.bundle("idmapmount", (s) => {
      s.mounts.push({ destination: "/data", type: "bind", source: sb.dir, options: ["rbind"], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] });
    });
    const r = sb.runc(["create", "--bundle", b, "idm"], { io: `${sb.dir}/idm.out` });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^mounts\[\d+\] \(\/data\): uidMappings\/gidMappings cannot be applied: bunbox does not make idmapped bind mounts: remove them from the spec\n$/) });
    expect(sb.runc(["state", "idm"]).code).toBe(1);
  });

  test("poststart hooks see the state running: the program has started", () => {
    const hook = `${sb.dir}/poststart.sh`;
    // What the hook sees: the state, and the name of the process it names (the program's once it has exec'd)
    const out = `${sb.dir}/poststart`;
    writeFileSync(hook, `#!/bin/sh\ncat > ${out}.json\npid=$(sed 's/.*"pid":\\([0-9]*\\).*/\\1/' ${out}.json)\ncat /proc/$pid/comm > ${out}.comm\n`);
    chmodSync(hook, 0o755);
    // A slow startContainer hook (in the container, between start and the program): poststart waits for the program
    const b = sb.bundle("poststart", (s) => {
      s.process.args = ["sleep", "60"];
      s.hooks = { startContainer: [{ path: "/bin/sh", args: ["sh", "-c", "sleep 0.5"] }], poststart: [{ path: hook }] };
    });
    sb.ok(["create", "--bundle", b, "ps1"], { io: `${sb.dir}/ps1.out` });
    sb.ok(["start", "ps1"]);
    const state = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    expect(state).toMatchObject({ id: "ps1", status: "running", pid: JSON.parse(sb.ok(["state", "ps1"])).pid });
    expect(readFileSync(`${out}.comm`, "utf8")).toBe("sleep\n");
    sb.ok(["delete", "--force", "ps1"]);
  });

  test("features: what bunbox applies, from the code that applies it", () => {
    const f = JSON.parse(sb.ok(["features"]));
    expect(f.mountOptions).toContain("nosymfollow");
    expect(f.mountOptions).not.toContain("idmap");
    expect(f.linux.seccomp.supportedFlags).not.toContain("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    expect(f.linux.selinux.enabled).toBe(false);
    expect(f.linux.intelRdt.enabled).toBe(false);
    expect(f.linux.mountExtensions.idmap.enabled).toBe(false);
  });
});
