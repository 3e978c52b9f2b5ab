// Named and anonymous volumes (-v NAME:/x, -v /x, --mount type=volume), kept under the state root
// as <root>/volumes/<name>/_data; `volume create|ls|inspect|rm|prune`; rm -v and --rm remove the
// anonymous ones; --mount's parsing and Docker's errors.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "v1", "v2"]);
  sb.run(["volume", "prune", "-f"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  expect(volumeDirs()).toEqual([]);
  sb.cleanup();
});

const ok = (args: string[], stdin?: string) => sb.ok(args, stdin === undefined ? {} : { stdin });
const volumeDirs = () => (existsSync(`${sb.root}/volumes`) ? readdirSync(`${sb.root}/volumes`).sort() : []);

test("a named volume outlives its containers, under <root>/volumes/<name>/_data; made by run if missing", () => {
  expect(ok(["volume", "create", "--label", "team=db", "data"])).toBe("data\n");
  ok(["run", "--rm", "-v", "data:/var/lib/x", "busybox", "sh", "-c", "echo kept > /var/lib/x/f"]);
  expect(readFileSync(`${sb.root}/volumes/data/_data/f`, "utf8")).toBe("kept\n");
  expect(ok(["run", "--rm", "-v", "data:/y:ro", "busybox", "sh", "-c", "cat /y/f; touch /y/g 2>&1 || true"])).toBe("kept\ntouch: /y/g: Read-only file system\n");
  // run makes a named volume that does not exist yet, as docker run does
  ok(["run", "--rm", "--mount", "source=made,target=/m", "busybox", "touch", "/m/x"]);
  expect(existsSync(`${sb.root}/volumes/made/_data/x`)).toBe(true);
  expect(ok(["volume", "ls", "-q"])).toBe("data\nmade\n");
  expect(ok(["volume", "ls"])).toMatch(/^DRIVER +VOLUME NAME\nlocal +data\nlocal +made\n$/);
  expect(ok(["volume", "ls", "-q", "-f", "label=team=db"])).toBe("data\n");
  const [info] = JSON.parse(ok(["volume", "inspect", "data"]));
  expect(info).toMatchObject({ Driver: "local", Labels: { team: "db" }, Mountpoint: `${sb.root}/volumes/data/_data`, Name: "data", Options: {}, Scope: "local" });
  expect(info.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(ok(["volume", "inspect", "-f", "{{.Mountpoint}}", "made"])).toBe(`${sb.root}/volumes/made/_data\n`);
  expect(sb.run(["volume", "inspect", "nope"])).toMatchObject({ code: 1, stdout: "[]\n", stderr: "bunbox: no such volume: nope\n" });
});

test("in use while any container mounts it: rm refused; inspect and ps show it; prune keeps it", () => {
  ok(["create", "--name", "v1", "-v", "data:/data", "busybox", "true"]);
  const id = ok(["inspect", "-f", "{{.Id}}", "v1"]).trim();
  expect(JSON.parse(ok(["inspect", "-f", "{{json .Mounts}}", "v1"]))).toEqual([
    { Type: "volume", Name: "data", Source: `${sb.root}/volumes/data/_data`, Destination: "/data", Driver: "local", Mode: "z", RW: true, Propagation: "" },
  ]);
  expect(ok(["ps", "-a", "--format", "{{.Names}} {{.Mounts}} {{.LocalVolumes}}"])).toBe("v1 data 1\n");
  expect(ok(["ps", "-aq", "-f", "volume=data"])).toBe(id.slice(0, 12) + "\n");
  expect(ok(["ps", "-aq", "-f", "volume=/data"])).toBe(id.slice(0, 12) + "\n");
  expect(ok(["ps", "-aq", "-f", "volume=other"])).toBe("");
  expect(sb.run(["volume", "rm", "data"])).toMatchObject({ code: 1, stdout: "", stderr: `bunbox: remove data: volume is in use - [${id}]\n` });
  expect(ok(["volume", "ls", "-q", "-f", "dangling=true"])).toBe("made\n");
  expect(ok(["volume", "prune", "-f"])).toBe("Deleted Volumes:\nmade\n\nTotal reclaimed space: 0B\n");
  expect(volumeDirs()).toEqual(["data"]);
  ok(["rm", "-v", "v1"]); // -v removes anonymous volumes only: data stays
  expect(ok(["volume", "rm", "data"])).toBe("data\n");
  expect(sb.run(["volume", "rm", "data"])).toMatchObject({ code: 1, stderr: "bunbox: no such volume: data\n" });
  expect(sb.run(["volume", "rm", "-f", "data"]).code).toBe(0);
  // prune asks first; no answer is no
  ok(["volume", "create", "asked"]);
  expect(ok(["volume", "prune"], "")).toBe("WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] \n");
  expect(ok(["volume", "prune"], "y\n")).toContain("Deleted Volumes:\nasked\n");
});

test("anonymous volumes (-v /x, --mount type=volume without source): kept by rm, removed by rm -v and --rm", () => {
  ok(["run", "--rm", "-v", "/scratch", "busybox", "sh", "-c", "echo x > /scratch/f"]);
  expect(volumeDirs()).toEqual([]);
  ok(["run", "-d", "--name", "v1", "-v", "/a", "--mount", "type=volume,target=/b", "busybox", "sh", "-c", "echo a > /a/f; echo b > /b/f"]);
  ok(["wait", "v1"]);
  const names = JSON.parse(ok(["inspect", "-f", "{{json .Mounts}}", "v1"])).map((m: { Name: string }) => m.Name);
  expect(names.every((n: string) => /^[0-9a-f]{64}$/.test(n))).toBe(true);
  expect(volumeDirs()).toEqual([...names].sort());
  ok(["rm", "v1"]);
  expect(volumeDirs()).toEqual([...names].sort()); // plain rm keeps them, as Docker's
  ok(["volume", "prune", "-f"]);
  ok(["run", "-d", "--name", "v2", "-v", "/c", "busybox", "true"]);
  ok(["wait", "v2"]);
  expect(volumeDirs().length).toBe(1);
  ok(["rm", "-v", "v2"]);
  expect(volumeDirs()).toEqual([]);
  // a run that fails to start leaves no anonymous volume behind
  expect(sb.run(["run", "--rm", "-v", "/d", "busybox", "/nonexistent"]).code).toBe(127);
  expect(sb.run(["run", "--rm", "-v", "/e", "--name", "bad name", "busybox", "true"]).code).toBe(125);
  expect(volumeDirs()).toEqual([]);
});

test("an empty volume gets the image's files at its mount path, unless nocopy; a full one is left alone", () => {
  expect(ok(["run", "--rm", "-v", "cfg:/etc", "busybox", "sh", "-c", "head -1 /etc/passwd; stat -c '%a %u' /etc"])).toBe("root:x:0:0:root:/root:/bin/sh\n755 0\n");
  expect(readFileSync(`${sb.root}/volumes/cfg/_data/group`, "utf8")).toContain("root:x:0:");
  // symlinks are copied as links (busybox's applets in /bin)
  expect(ok(["run", "--rm", "-v", "/bin", "busybox", "sh", "-c", "readlink /bin/ls"]).trim()).not.toBe("");
  expect(ok(["run", "--rm", "-v", "nc:/etc:nocopy", "busybox", "ls", "-A", "/etc"])).toBe("");
  ok(["run", "--rm", "--mount", "source=nc2,target=/etc,volume-nocopy", "busybox", "true"]);
  expect(readdirSync(`${sb.root}/volumes/nc2/_data`)).toEqual([]);
  // cfg is not empty any more: what the container changed there stays
  ok(["run", "--rm", "-v", "cfg:/etc", "busybox", "sh", "-c", "echo changed > /etc/motd2; rm /etc/group"]);
  expect(ok(["run", "--rm", "-v", "cfg:/etc", "busybox", "sh", "-c", "cat /etc/motd2; ls /etc/group 2>&1 || true"])).toBe("changed\nls: /etc/group: No such file or directory\n");
  ok(["volume", "rm", "cfg", "nc", "nc2"]);
});

test("--mount: bind (must exist), readonly, bind-propagation, tmpfs-size/mode; Docker's parsing errors", () => {
  mkdirSync(`${sb.root}/host`, { recursive: true });
  const mounts = ok(["run", "--rm", "--mount", `type=bind,source=${sb.root}/host,target=/h,readonly`, "--mount", "type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770",
    "--mount", `type=bind,src=${sb.root}/host,dst=/p,bind-propagation=rslave`, "busybox", "sh", "-c", "grep -E ' /(h|t|p) ' /proc/mounts | cut -d' ' -f2,4; stat -c %a /t"]);
  expect(mounts).toMatch(/^\/h ro,[^\n]*\n\/t rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770\n\/p rw,[^\n]*\n1770\n$/);
  const err = (arg: string) => sb.run(["run", "--rm", "--mount", arg, "busybox", "true"]);
  const flag = (arg: string, why: string) => expect(err(arg)).toMatchObject({ code: 125, stderr: `bunbox: invalid argument "${arg}" for "--mount" flag: ${why}\n` });
  flag("type=bind,source=/tmp", "target is required");
  flag("type=bind,src=/tmp,target=/x,bogus=1", "unexpected key 'bogus' in 'bogus=1'");
  flag("type=bind,src=/tmp,target=/x,novalue", "invalid field 'novalue' must be a key=value pair");
  flag("type=bind,src=/tmp,target=/x,readonly=maybe", "invalid value for readonly: maybe");
  flag("type=volume,target=/x,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'");
  flag("type=tmpfs,target=/x,tmpfs-size=big", "invalid value for tmpfs-size: big");
  flag("type=bind,src=/tmp,target=/x,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'");
  const daemon = (arg: string, message: string) => expect(err(arg)).toMatchObject({ code: 125, stderr: `bunbox: ${message}\n` });
  daemon("type=bind,target=/x", 'invalid mount config for type "bind": field Source must not be empty');
  daemon("type=bind,source=/nonexistent-p15b,target=/x", 'invalid mount config for type "bind": bind source path does not exist: /nonexistent-p15b');
  daemon("type=tmpfs,source=x,target=/x", 'invalid mount config for type "tmpfs": field Source must not be specified');
  daemon("type=nfs,target=/x", 'invalid mount config for type "nfs": mount type unknown');
  daemon("type=bind,src=/tmp,target=x", `invalid mount config for type "bind": invalid mount path: 'x' mount path must be absolute`);
  daemon("type=bind,src=/tmp,target=/x,bind-propagation=odd", 'invalid mount config for type "bind": invalid propagation mode: odd');
  daemon("source=a/b,target=/x", `"a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  expect(sb.run(["run", "--rm", "-v", "my vol:/x", "busybox", "true"]).code).toBe(125);
  expect(sb.run(["volume", "create", "a"]).code).toBe(1); // Docker's names have two characters at least
  expect(volumeDirs()).toEqual([]);
});
