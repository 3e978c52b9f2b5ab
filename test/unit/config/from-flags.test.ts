import { describe, expect, test } from "bun:test";
import { specFromFlags, type RunFlags, type ImageInfo } from "../../../src/config/from-flags.ts";
import { parseSpec } from "../../../src/config/schema.ts";
import { resolveUser, parsePasswd, parseGroup } from "../../../src/config/user.ts";
import { parseVolume } from "../../../src/config/volumes.ts";
import { parseEnvFile, mergeEnv } from "../../../src/config/env.ts";

const image: ImageInfo = {
  rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/",
  passwd: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\n",
  group: "root:x:0:\nnogroup:x:65534:\nalice:x:1000:\nwheel:x:10:alice\n",
};
const flags = (over: Partial<RunFlags> = {}): RunFlags => ({
  env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [], ...over,
});
const host = { env: { FROM_HOST: "yes" }, hostname: "hosthost", resolvConf: "nameserver 127.0.0.53\nnameserver 10.0.0.1\n", hostsFile: "127.0.0.1 localhost hosthost\n" };
const paths = { id: "0123456789abcdef".repeat(4), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
const build = (over: Partial<RunFlags> = {}) => specFromFlags(flags(over), image, host, paths);

describe("docker flags → OCI spec", () => {
  test("defaults match docker run: hostname, env, namespaces, caps, mounts; the result passes the schema", () => {
    const { spec, files } = build();
    expect(() => parseSpec(spec)).not.toThrow();
    expect(spec.hostname).toBe("0123456789ab");
    expect(spec.process!.args).toEqual(["sh"]);
    expect(spec.process!.env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=0123456789ab", "HOME=/root"]);
    expect(spec.linux!.namespaces!.map((n) => n.type).sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "uts"]);
    expect(spec.process!.capabilities!.bounding).toHaveLength(14);
    expect(spec.mounts!.map((m) => m.destination)).toEqual(["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/etc/resolv.conf", "/etc/hostname", "/etc/hosts"]);
    expect(files["resolv.conf"]).toBe("nameserver 10.0.0.1\n");
    expect(files.hostname).toBe("0123456789ab\n");
  });
  test("the host's CPU thermal_throttle directories are masked like Docker's list, except with --privileged", () => {
    const thermal = ["/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu1/thermal_throttle"];
    const masked = (privileged: boolean) => specFromFlags(flags({ privileged }), image, { ...host, thermalThrottle: thermal }, paths).spec.linux?.maskedPaths;
    expect(masked(false)?.slice(-3)).toEqual(["/sys/devices/virtual/powercap", ...thermal]);
    expect(masked(true)).toEqual([]);
  });

  test("--network host keeps the host's network namespace, hostname and files", () => {
    const { spec, files } = build({ network: "host" });
    expect(spec.linux!.namespaces!.some((n) => n.type === "network")).toBe(false);
    expect(spec.hostname).toBe("hosthost");
    expect(files.hosts).toBe(host.hostsFile);
  });
  test("-e, --env-file, -w, -u, --read-only, -v, --tmpfs, --entrypoint", () => {
    const { spec } = build({
      env: ["A=1", "FROM_HOST", "MISSING", "HOME=/h"], envFileLines: ["A=2"], workdir: "/work", user: "alice",
      readOnly: true, volumes: ["/src:/dst:ro"], tmpfs: ["/scratch:size=1m"], entrypoint: "/bin/echo", command: ["hi"],
    });
    expect(spec.process!.env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=0123456789ab", "A=2", "FROM_HOST=yes", "HOME=/h"]);
    expect(spec.process!.cwd).toBe("/work");
    expect(spec.process!.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10] });
    expect(spec.process!.args).toEqual(["/bin/echo", "hi"]);
    expect(spec.root!.readonly).toBe(true);
    expect(spec.mounts!.slice(-2)).toEqual([
      { destination: "/dst", type: "bind", source: "/src", options: ["rbind", "ro", "rprivate"] },
      { destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["noexec", "nosuid", "nodev", "size=1m"] },
    ]);
  });
  test.each([
    [{ workdir: "rel" }, "the working directory 'rel' is invalid, it needs to be an absolute path"],
    [{ network: "bridge2" }, "network bridge2 not found: bunbox supports --network none and --network host"],
    [{ user: "mallory" }, "unable to find user mallory: no matching entries in passwd file"],
    [{ hostname: "bad_name!" }, `invalid hostname "bad_name!": use letters, digits, '-' and '.', at most 64 characters`],
    [{ volumes: ["/a:/x", "/b:/x"] }, "duplicate mount point: /x"],
  ])("bad flags: %j", (over, message) => {
    expect(() => build(over as Partial<RunFlags>)).toThrow(message);
  });
});

describe("users, volumes, env files", () => {
  const pw = parsePasswd(image.passwd), gr = parseGroup(image.group);
  test.each([
    // Docker's groups: the primary one, then those the user is listed in unless a group is given
    [undefined, { uid: 0, gid: 0, additionalGids: [0], home: "/root" }],
    ["nobody", { uid: 65534, gid: 65534, additionalGids: [65534], home: "/nonexistent" }],
    ["alice", { uid: 1000, gid: 1000, additionalGids: [1000, 10], home: "/home/alice" }],
    ["1000:10", { uid: 1000, gid: 10, additionalGids: [10], home: "/home/alice" }],
    ["4242", { uid: 4242, gid: 0, additionalGids: [0], home: "/" }],
    ["alice:nogroup", { uid: 1000, gid: 65534, additionalGids: [65534], home: "/home/alice" }],
  ])("-u %s", (spec, want) => expect(resolveUser(spec, pw, gr)).toEqual(want));

  test("--group-add: names from the image's group file, or numbers; an unknown name is refused", () => {
    expect(resolveUser("nobody", pw, gr, ["wheel", "4242", "65534"]).additionalGids).toEqual([65534, 10, 4242]);
    expect(() => resolveUser(undefined, pw, gr, ["nosuch"])).toThrow("unable to find group nosuch: no matching entries in group file (--group-add)");
  });

  test.each([
    ["data:/data", "invalid volume specification: 'data:/data': the host path must be absolute"],
    ["/a", "invalid volume specification: '/a': expected HOST-DIR:CONTAINER-DIR[:ro]"],
    ["/a:b", "invalid volume specification: '/a:b': the container path must be absolute"],
    ["/a:/b:rx", "invalid volume specification: '/a:/b:rx': unknown mode 'rx' (use ro or rw)"],
  ])("-v %s", (arg, message) => expect(() => parseVolume(arg)).toThrow(message));

  test("env file: comments and blanks skipped; later values win in place", () => {
    expect(parseEnvFile("# c\n\nA=1\nB\r\n", "f")).toEqual(["A=1", "B"]);
    expect(mergeEnv(["A=1", "B=2"], ["A=3"])).toEqual(["A=3", "B=2"]);
  });
});
