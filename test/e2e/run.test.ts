// What a real container sees, run by the compiled binary as root, compared with golden files.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, readlinkSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { Sandbox, BIN } from "./harness.ts";
import { golden } from "../golden.ts";
import { kernelAtLeast } from "../../src/host/probe.ts";

const sb = new Sandbox();
afterAll(() => {
  expect(sb.leftovers()).toEqual([]);
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(sb.root);
  sb.cleanup();
});

const ok = (args: string[], opts?: Parameters<Sandbox["run"]>[1]) => {
  const r = sb.box(args, opts);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};

describe("isolation", () => {
  test("the command is PID 1 and sees only its own processes", () => {
    expect(ok(["busybox", "ps", "-o", "pid,user,args"])).toBe(golden("run/ps.txt", ok(["busybox", "ps", "-o", "pid,user,args"])));
    expect(ok(["busybox", "sh", "-c", "echo /proc/[0-9]*"])).toBe("/proc/1\n");
  });

  test("hostname: the short id by default, -h sets it, /etc/hostname and /etc/hosts agree", () => {
    const out = ok(["busybox", "sh", "-c", "hostname; cat /etc/hostname; echo $HOSTNAME"]).split("\n");
    expect(out[0]).toMatch(/^[0-9a-f]{12}$/);
    expect(out.slice(1, 3)).toEqual([out[0], out[0]]);
    expect(ok(["-h", "demo", "busybox", "hostname"])).toBe("demo\n");
    // as typed, though it looks like a number
    expect(ok(["-h", "0123", "busybox", "hostname"])).toBe("0123\n");
    expect(ok(["busybox", "cat", "/etc/hosts"])).toBe(golden("run/hosts.txt", ok(["busybox", "cat", "/etc/hosts"])));
  });

  test("every namespace differs from the host's", () => {
    const kinds = ["pid", "mnt", "net", "uts", "ipc", "cgroup"];
    const inside = ok(["busybox", "sh", "-c", kinds.map((k) => `readlink /proc/1/ns/${k}`).join(";")]).trim().split("\n");
    const host = kinds.map((k) => readlinkSync(`/proc/self/ns/${k}`));
    expect(inside).toHaveLength(kinds.length);
    inside.forEach((ns, i) => {
      expect(ns.split(":")[0]).toBe(kinds[i]!);
      expect(ns).not.toBe(host[i]!);
    });
  });

  test("the mount table: overlay root, private /proc /dev /sys, masked and read-only paths", () => {
    const mountinfo = ok(["busybox", "cat", "/proc/self/mountinfo"]);
    const table = normaliseMounts(sb.normalise(mountinfo));
    expect(table).toBe(golden(`run/mountinfo-${cgroupMode()}.txt`, table));
    // sb.box runs with --rm: its root is volatile where the kernel knows the option (6.x prints fsync=volatile)
    const root = mountinfo.split("\n").find((l) => / \/ \/ .* - overlay /.test(l)) ?? "";
    expect(/,(fsync=)?volatile(,|$)/.test(root)).toBe(kernelAtLeast(readFileSync("/proc/sys/kernel/osrelease", "utf8"), 5, 10));
  });

  test("network none: only lo, and it is up", () => {
    expect(ok(["busybox", "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/operstate; ping -c1 -W1 127.0.0.1 >/dev/null && echo ping-ok"]))
      .toBe("lo\nunknown\nping-ok\n");
  });

  test("default capabilities are Docker's 14", () => {
    expect(ok(["busybox", "grep", "^Cap", "/proc/self/status"])).toBe(golden("run/capabilities.txt", ok(["busybox", "grep", "^Cap", "/proc/self/status"])));
  });
});

describe("filesystem", () => {
  test("the root is copy-on-write: writes do not reach the image or the next container", () => {
    expect(ok(["busybox", "sh", "-c", "echo changed > /etc/motd; cat /etc/motd"])).toBe("changed\n");
    expect(sb.box(["busybox", "cat", "/etc/motd"]).code).toBe(1);
  });

  test("--read-only refuses writes; --tmpfs gives a writable place", () => {
    const r = sb.box(["--read-only", "busybox", "touch", "/x"]);
    expect([r.code, r.stderr]).toEqual([1, "touch: /x: Read-only file system\n"]);
    expect(ok(["--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c", "touch /scratch/y && echo ok"])).toBe("ok\n");
  });

  test("volumes both ways, and :ro", () => {
    const dir = `${sb.root}/vol`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/from-host`, "hello from the host\n");
    expect(ok(["-v", `${dir}:/data`, "busybox", "sh", "-c", "cat /data/from-host; echo hi > /data/from-container"])).toBe("hello from the host\n");
    expect(readFileSync(`${dir}/from-container`, "utf8")).toBe("hi\n");
    const r = sb.box(["-v", `${dir}:/data:ro`, "busybox", "touch", "/data/nope"]);
    expect([r.code, r.stderr]).toEqual([1, "touch: /data/nope: Read-only file system\n"]);
    expect(existsSync(`${dir}/nope`)).toBe(false);
  });
});

describe("process settings", () => {
  test("signals start at their defaults, as in a Docker container: nothing ignored or blocked, so yes | head ends", () => {
    // SigIgn was 0x1001000 (+ SIGQUIT if bunbox's parent ignored it): Bun ignores SIGPIPE and SIGXFSZ,
    // an ignored signal survives execve, and yes then spun on EPIPE forever
    // (timeout: a yes that ignores SIGPIPE never ends on its own; PID 1's exit then ends it)
    const r = sb.box(["busybox", "sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status; timeout 5 sh -c 'yes | head -n 2'; echo status $?"]);
    expect([r.code, r.stdout]).toEqual([0, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\ny\ny\nstatus 0\n"]);
  });

  test("-u by name, by number, with a group", () => {
    // Supplementary groups as Docker sets them: the primary group, /etc/group memberships, --group-add
    expect(ok(["busybox", "id"])).toBe("uid=0(root) gid=0(root) groups=0(root)\n");
    expect(ok(["-u", "nobody", "busybox", "id"])).toBe("uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
    expect(ok(["-u", "1000:1000", "busybox", "id"])).toBe("uid=1000 gid=1000 groups=1000\n");
    expect(ok(["-u", "nobody:root", "busybox", "id"])).toBe("uid=65534(nobody) gid=0(root) groups=0(root)\n");
    expect(ok(["-u", "nobody", "--group-add", "4242", "--group-add", "root", "busybox", "id"])).toBe("uid=65534(nobody) gid=65534(nogroup) groups=0(root),4242,65534(nogroup)\n");
    expect(ok(["-u", "nobody", "busybox", "grep", "^CapEff", "/proc/self/status"])).toBe("CapEff:\t0000000000000000\n");
  });

  test("-e, --env-file, and Docker's PATH, HOSTNAME and HOME", () => {
    const file = `${sb.root}/env.list`;
    writeFileSync(file, "# a comment\nFROM_FILE=1\nFROM_HOST\n");
    const env = ok(["-h", "envtest", "-e", "A=b c", "--env-file", file, "busybox", "env"], { env: { FROM_HOST: "passed" } });
    expect(env.split("\n").sort().join("\n")).toBe(golden("run/env.txt", env.split("\n").sort().join("\n")));
  });

  test("-w creates and enters the working directory", () => {
    expect(ok(["-w", "/work/dir", "busybox", "pwd"])).toBe("/work/dir\n");
  });

  test("--entrypoint replaces the command's program", () => {
    expect(ok(["--entrypoint", "echo", "busybox", "a", "b"])).toBe("a b\n");
    // an empty one resets it: the command runs as given (Docker's --entrypoint '')
    expect(ok(["--entrypoint", "", "busybox", "echo", "x"])).toBe("x\n");
  });

  test("-i passes stdin; without it stdin is empty", () => {
    expect(ok(["-i", "busybox", "cat"], { stdin: "piped\n" })).toBe("piped\n");
    expect(ok(["busybox", "cat"], { stdin: "piped\n" })).toBe("");
  });
});

describe("exit status", () => {
  test.each([
    [["busybox", "true"], 0, ""],
    [["busybox", "sh", "-c", "exit 7"], 7, ""],
    [["busybox", "/etc/passwd"], 126, `bunbox: exec: "/etc/passwd": permission denied\n`],
    [["busybox", "/etc"], 126, `bunbox: exec: "/etc": is a directory\n`],
    [["busybox", "nosuchcmd"], 127, `bunbox: exec: "nosuchcmd": executable file not found in $PATH\n`],
    [["busybox", "/no/such"], 127, `bunbox: exec: "/no/such": stat /no/such: no such file or directory\n`],
    [["busybox", "sh", "-c", "sh -c 'kill -INT $$'; exit $?"], 130, ""],
  ])("%j → %d", (args, code, stderr) => {
    const r = sb.box(args as string[]);
    expect([r.code, r.stderr]).toEqual([code as number, stderr as string]);
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129], ["SIGQUIT", 131], ["SIGUSR1", 138], ["SIGUSR2", 140]] as const) {
    test(`${signal} to bunbox reaches the container (exit ${code})`, async () => {
      const sig = signal.slice(3);
      const proc = Bun.spawn([`${import.meta.dir}/../../dist/bunbox`, "run", "--rm", "busybox", "sh", "-c", `trap 'exit ${code}' ${sig}; echo ready; while :; do sleep 0.05; done`], {
        env: { BUNBOX_ROOT: sb.root, PATH: "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe",
      });
      const reader = proc.stdout.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe("ready\n");
      proc.kill(signal);
      expect(await proc.exited).toBe(code);
    });
  }

  test("SIGKILL of the container's process gives 137", async () => {
    const proc = Bun.spawn([`${import.meta.dir}/../../dist/bunbox`, "run", "--rm", "busybox", "sh", "-c", "echo ready; while :; do sleep 0.05; done"], {
      env: { BUNBOX_ROOT: sb.root, PATH: "/usr/bin:/bin" }, stdout: "pipe",
    });
    await proc.stdout.getReader().read();
    const child = readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, "utf8").trim().split(" ")[0]!;
    process.kill(Number(child), "SIGKILL");
    expect(await proc.exited).toBe(137);
  });
});

describe("bad input: one line, Docker's exit status (125, or 1 for the command line's shape), nothing left behind", () => {
  test.each([
    ["unknown flag", ["run", "--bogus", "busybox"], 125, "bunbox: unknown flag: --bogus (see 'bunbox run --help')\n"],
    ["missing image", ["run", "nosuchimage"], 125, "bunbox: unable to find image 'nosuchimage': it is not a file, a directory or an imported image (see 'bunbox images'; import a rootfs tarball with 'bunbox import FILE NAME')\n"],
    // (NAME:/data is a named volume; a name with a space is neither that nor a host path)
    ["bad volume", ["run", "-v", "my data:/data", "busybox"], 125, `bunbox: "my data" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path\n`],
    ["no image", ["run"], 1, `bunbox: "bunbox run" requires at least 1 argument: bunbox run [OPTIONS] IMAGE [COMMAND] [ARG...]\n`],
    ["unknown command", ["frobnicate"], 1, "bunbox: 'frobnicate' is not a bunbox command (see 'bunbox --help')\n"],
  ])("%s", (_, args, code, stderr) => {
    const r = sb.run(args as string[]);
    expect([r.code, r.stdout, r.stderr]).toEqual([code, "", stderr]);
    expect(sb.leftovers()).toEqual([]);
  });
});

test("a failure during set-up names the step, the call, the path and the errno, and cleans up", () => {
  const r = sb.run(["run", "-v", "/etc/hostname:/bin", "busybox", "true"]);
  expect(r.code).toBe(125);
  expect(sb.normalise(r.stderr)).toBe(`bunbox: container setup failed at step "bind": move_mount /etc/hostname on /bin: ENOTDIR (not a directory)\n`);
  expect(sb.leftovers()).toEqual([]);
});

// (skipped where the checkout is not reachable by other users, e.g. below a 0700 home)
const nobodyCanRun = Bun.spawnSync(["su", "nobody", "-s", "/bin/sh", "-c", `test -x "${BIN}"`]).exitCode === 0;
test.skipIf(!nobodyCanRun)("without root: one line, exit 125, nothing created", () => {
  const root = `${sb.root}/nonroot`;
  const r = Bun.spawnSync(["su", "nobody", "-s", "/bin/sh", "-c", `"${BIN}" --root ${root} run --rm busybox true`], { env: { PATH: "/usr/bin:/bin" } });
  expect([r.exitCode, r.stderr.toString()]).toEqual([125, "bunbox: creating containers needs root (unshare: EPERM): run bunbox as root\n"]);
  expect(existsSync(root)).toBe(false);
});

/**
 * mountinfo with ids, device numbers and host filesystem details replaced by placeholders, and what
 * is the host's rather than bunbox's dropped: host paths, tmpfs's inode64 (a kernel config default), a
 * cgroup2 superblock's options (how the host mounted it: systemd adds memory_recursiveprot), and the
 * masks of /proc/kcore and /proc/sysrq-trigger, which exist only where the kernel has them (the
 * attack tests check both either way).
 */
function normaliseMounts(text: string): string {
  return text.trim().split("\n").filter((l) => !/ \/proc\/(kcore|sysrq-trigger) /.test(l)).map((line) => {
    const [left, right] = line.split(" - ");
    const f = left!.split(" ");
    const [fstype, source, superOpts] = right!.split(" ");
    const own = ["proc", "tmpfs", "devpts", "sysfs", "cgroup", "cgroup2", "mqueue", "overlay"].includes(fstype!);
    const opts = !own ? "<host fs options>" : fstype === "cgroup2" ? superOpts!.replace(/,.*/, "")
      : superOpts!.replace(/,uuid=on/, "").replace(/,(fsync=)?volatile/, "") /* checked on its own */.replace(/lowerdir=[^,]*/, "lowerdir=<IMAGE>").replace(/,inode64/, "");
    // A bind's root field is its path inside the host filesystem, which depends on where TMPDIR lives
    const root = own ? f[3] : f[3]!.replace(/^.*\/containers\//, "<ROOT>/containers/");
    return `${root} ${f[4]} ${f[5]} - ${own ? fstype : "<host fs>"} ${own ? source : "<host dev>"} ${opts}`;
  }).join("\n") + "\n";
}

function cgroupMode(): string {
  return existsSync("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1";
}

describe("security flags", () => {
  test("--cap-drop ALL, --cap-add, --privileged, no-new-privileges", () => {
    expect(ok(["--cap-drop", "ALL", "busybox", "grep", "^CapEff", "/proc/self/status"])).toBe("CapEff:\t0000000000000000\n");
    expect(ok(["--cap-add", "SYS_ADMIN", "--cap-drop", "NET_RAW", "busybox", "grep", "^CapBnd", "/proc/self/status"])).toBe("CapBnd:\t00000000a82405fb\n");
    expect(ok(["--security-opt", "no-new-privileges", "busybox", "grep", "^NoNewPrivs", "/proc/self/status"])).toBe("NoNewPrivs:\t1\n");
    // --privileged: every capability bunbox holds, /proc unmasked, /sys writable by mount flags
    const priv = ok(["--privileged", "busybox", "sh", "-c", "grep -c ' /proc/' /proc/self/mountinfo; grep ' /sys ' /proc/self/mountinfo | cut -d' ' -f6"]);
    expect(priv).toBe("0\nrw,nosuid,nodev,noexec,relatime\n");
  });
});
