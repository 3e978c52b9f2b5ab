// User namespaces from Docker-style flags: --userns auto and Podman's --uidmap/--gidmap. Root in
// the container is an unprivileged host uid: what the container sees, what the host sees, and
// what root in the container can no longer do to the host's files.
import { afterAll, expect, test } from "bun:test";
import { readlinkSync, readFileSync, writeFileSync, mkdtempSync, statSync, existsSync, rmSync, chmodSync } from "node:fs";
import { Sandbox } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
const volume = mkdtempSync("/tmp/bunbox-userns-volume-");
afterAll(() => {
  sb.run(["rm", "-f", "mapped", "auto"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
  rmSync(volume, { recursive: true, force: true });
});

const ok = (args: string[]) => sb.ok(args);
const MAP = ["--uidmap", "0:100000:65536"];

test("--uidmap: root inside, the asked mappings, a user namespace of its own; the image root's, the writes host ids", () => {
  const seen = ok(["run", "--name", "mapped", ...MAP, "busybox", "sh", "-c",
    "id; cat /proc/self/uid_map /proc/self/gid_map; stat -c '%u:%g %n' / /bin/busybox /etc; touch /etc/motd /root/new && stat -c '%u:%g %n' /etc/motd /root/new; readlink /proc/self/ns/user"]);
  const [shown, ns] = [seen.slice(0, seen.lastIndexOf("user:[")), seen.slice(seen.lastIndexOf("user:[")).trim()];
  expect(shown).toBe(golden("userns/uidmap.txt", shown));
  expect(ns).not.toBe(readlinkSync("/proc/self/ns/user"));
  // On the host the container's layer holds what it wrote under the mapped ids; the image is untouched
  const id = ok(["inspect", "-f", "{{.Id}}", "mapped"]).trim();
  const upper = `${sb.root}/containers/${id}/upper`;
  expect(["etc/motd", "root/new"].map((f) => `${statSync(`${upper}/${f}`).uid}:${statSync(`${upper}/${f}`).gid}`)).toEqual(["100000:100000", "100000:100000"]);
  // The same ids the next time it starts: its layer stays writable
  expect(ok(["start", "-a", "mapped"])).toContain("100000");
  ok(["rm", "mapped"]);
});

test("--userns auto: root's /etc/subuid range, else 100000-165535; the host sees that uid; exec joins it", () => {
  const sub = (file: string) => {
    const line = existsSync(file) ? readFileSync(file, "utf8").split("\n").find((l) => /^(root|0):\d+:\d+$/.test(l.trim())) : undefined;
    const [, start, count] = line ? line.trim().split(":") : ["", "100000", "65536"];
    return `0 ${start} ${count}`;
  };
  ok(["run", "-d", "--name", "auto", "--userns", "auto", "busybox", "sleep", "60"]);
  const pid = ok(["inspect", "-f", "{{.State.Pid}}", "auto"]).trim();
  const hostUid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1];
  expect(`0 ${hostUid} ${sub("/etc/subuid").split(" ")[2]}`).toBe(sub("/etc/subuid"));
  const inside = ok(["exec", "auto", "sh", "-c", "id; cat /proc/self/uid_map /proc/self/gid_map | tr -s ' ' | sed 's/^ //'; readlink /proc/self/ns/user"]).split("\n");
  expect(inside.slice(0, 3)).toEqual(["uid=0(root) gid=0(root) groups=0(root)", sub("/etc/subuid"), sub("/etc/subgid")]);
  expect(inside[3]).toBe(readlinkSync(`/proc/${pid}/ns/user`));
  expect(inside[3]).not.toBe(readlinkSync("/proc/self/ns/user"));
  ok(["rm", "-f", "auto"]);
});

test("through a volume, root in the container cannot touch a root-owned host file (it can without a user namespace)", () => {
  writeFileSync(`${volume}/secret`, "host\n");
  chmodSync(`${volume}/secret`, 0o644);
  chmodSync(volume, 0o755);
  const script = "cat /data/secret; echo x >> /data/secret; echo append=$?; rm /data/secret; echo rm=$?; chmod 666 /data/secret; echo chmod=$?; touch /data/new; echo create=$?";
  const r = sb.box([...MAP, "-v", `${volume}:/data`, "busybox", "sh", "-c", script]);
  const out = `${r.stdout}${r.stderr}`.replaceAll(volume, "<VOLUME>");
  expect(out).toBe(golden("userns/volume.txt", out));
  expect(readFileSync(`${volume}/secret`, "utf8")).toBe("host\n");
  expect((statSync(`${volume}/secret`).mode & 0o777).toString(8)).toBe("644");
  expect(existsSync(`${volume}/new`)).toBe(false);
  // Root without a user namespace is the host's root: the same append works
  expect(sb.box(["-v", `${volume}:/data`, "busybox", "sh", "-c", "echo x >> /data/secret; echo append=$?"]).stdout).toBe("append=0\n");
});

test("volumes made for it are its root's: a new named one, and an anonymous one given the image's files (mapped)", () => {
  const r = sb.box([...MAP, "-v", "userns-data:/data", "-v", "/etc", "busybox", "sh", "-c",
    "touch /data/new && echo named=$?; stat -c '%u:%g %n' /data /etc /etc/passwd; echo more >> /etc/passwd && echo anonymous=$?"]);
  expect(`${r.stdout}${r.stderr}`).toBe("named=0\n0:0 /data\n0:0 /etc\n0:0 /etc/passwd\nanonymous=0\n");
  ok(["volume", "rm", "userns-data"]);
});

test("/proc, /sys, /dev (the host's nodes, bound), devpts, mqueue and the cgroup tree inside a user namespace", () => {
  const r = sb.box([...MAP, "busybox", "sh", "-c",
    "grep -E ' /(proc|sys|dev|dev/pts|dev/mqueue|dev/shm) ' /proc/self/mounts | cut -d' ' -f1-3; test -d /sys/fs/cgroup && ls /sys/fs/cgroup | grep -qE 'memory|cgroup.controllers' && echo cgroup-tree; echo hi > /dev/null && head -c 3 /dev/zero | wc -c; ls -l /dev/null | cut -c1-10; mknod /dev/x c 1 3; echo mknod=$?"]);
  const out = `${r.stdout}${r.stderr}`;
  expect(out).toBe(golden("userns/mounts.txt", out));
});

test("--explain narrates the mapping: the helper that makes the namespace, the maps, the join", () => {
  const plan = ok(["explain", "run", ...MAP, "busybox", "true"]).split("\n")
    .filter((l) => /CLONE_NEWUSER|uid_map|gid_map|MOUNT_ATTR_IDMAP|open_tree\("\."/.test(l)).join("\n") + "\n";
  const out = sb.normalise(plan).replace(/"[^"]*\/images\/[^"]*"/g, '"<IMAGE>"');
  expect(out).toBe(golden("userns/explain.txt", out));
});

test("refusals: one line, exit 125, nothing made", () => {
  const cases: [string[], string][] = [
    [["--userns", "auto", "--privileged"], "--privileged cannot be combined with a user namespace"],
    [["--userns", "auto", "--network", "host"], "--network host cannot be combined with a user namespace"],
    [["--userns", "private"], "--userns private: use host (no user namespace) or auto"],
    [["--uidmap", "0:100000"], "--uidmap 0:100000: expected CONTAINER_ID:HOST_ID:SIZE"],
    [["--uidmap", "0:100000:10", "--uidmap", "5:200000:10"], "--uidmap: 0:100000:10 and 5:200000:10 overlap"],
    [["--uidmap", "1:100000:10"], "--uidmap: container id 0 must be mapped"],
    [["--userns", "auto", "--uidmap", "0:1:1"], "--userns auto and --uidmap/--gidmap cannot be used together"],
  ];
  for (const [flags, message] of cases) {
    const r = sb.box([...flags, "busybox", "true"]);
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(message);
  }
  expect(sb.leftovers()).toEqual([]);
});
