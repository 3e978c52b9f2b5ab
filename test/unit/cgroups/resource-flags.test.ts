// Docker's resource flags: units, defaults, and every bad value refused with one line.
import { cgroupsPathFor } from "../../../src/cgroups/manager.ts";
import { describe, expect, test } from "bun:test";
import { resourcesFromFlags, parseBytes, parseUlimit, humanBytes, type ResourceFlags } from "../../../src/config/resource-flags.ts";
import { specFromFlags } from "../../../src/config/from-flags.ts";
import { parseSpec } from "../../../src/config/schema.ts";

const host = { cpus: "0-3", mems: "0", blockDevice: (p: string) => (p === "/dev/sda" ? { major: 8, minor: 0 } : undefined) };
const flags = (f: Partial<ResourceFlags>): ResourceFlags => ({ deviceReadBps: [], deviceWriteBps: [], ulimits: [], ...f });
const res = (f: Partial<ResourceFlags>) => resourcesFromFlags(flags(f), host);

describe("units", () => {
  test("docker's RAMInBytes: b k m g, binary, optional i/b suffix, fractions", () => {
    expect(["512", "10b", "1k", "64m", "64M", "1g", "1.5g", "2GiB", "3 mb"].map(parseBytes)).toEqual([512, 10, 1024, 64 << 20, 64 << 20, 1 << 30, 1.5 * (1 << 30), 2 * (1 << 30), 3 << 20]);
    expect(["12q", "", "-1", "m", "1.2.3m"].map(parseBytes)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect([humanBytes(64 << 20), humanBytes(1536), humanBytes(100)]).toEqual(["64 MiB", "1.5 KiB", "100 B"]);
  });
});

describe("flags → resources", () => {
  test("-m alone: swap defaults to twice the memory (Docker)", () => {
    expect(res({ memory: "64m" }).resources.memory).toEqual({ limit: 64 << 20, swap: 128 << 20 });
    expect(res({ memory: "64m", memorySwap: "-1" }).resources.memory).toEqual({ limit: 64 << 20, swap: -1 });
    expect(res({ memory: "64m", memorySwap: "100m", memoryReservation: "32m" }).resources.memory).toEqual({ limit: 64 << 20, swap: 100 << 20, reservation: 32 << 20 });
  });
  test("--cpus → quota/period; shares; cpusets; pids; blkio; oom; ulimits", () => {
    const r = res({ cpus: "0.5", cpuShares: "512", cpusetCpus: "0-1,3", cpusetMems: "0", pidsLimit: "64", blkioWeight: "300", deviceReadBps: ["/dev/sda:1mb"], deviceWriteBps: ["/dev/sda:512k"], oomScoreAdj: "-100", ulimits: ["nofile=1024:2048", "nproc=-1"] });
    expect(r.resources.cpu).toEqual({ quota: 50000, period: 100000, shares: 512, cpus: "0-1,3", mems: "0" });
    expect(r.resources.pids).toEqual({ limit: 64 });
    expect(r.resources.blockIO).toEqual({ weight: 300, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 << 20 }], throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 512 << 10 }] });
    expect(r.oomScoreAdj).toBe(-100);
    expect(r.rlimits).toEqual([{ type: "RLIMIT_NOFILE", soft: 1024, hard: 2048 }, { type: "RLIMIT_NPROC", soft: 2 ** 64, hard: 2 ** 64 }]);
    expect(res({ pidsLimit: "0" }).resources.pids).toEqual({ limit: -1 });
    expect(res({ cpus: "0" }).resources).toEqual({}); // Docker's "no limit"
    expect(res({}).resources).toEqual({});
  });
  test("bad values: one clear line each", () => {
    const bad: [Partial<ResourceFlags>, RegExp][] = [
      [{ memory: "12q" }, /invalid argument "12q" for "-m, --memory" flag: invalid size/],
      [{ memory: "5m" }, /minimum memory limit allowed is 6MB/],
      [{ memoryReservation: "1m" }, /minimum memory reservation allowed is 6MB/],
      [{ memorySwap: "1g" }, /set the memory limit \(-m\) when using --memory-swap/],
      [{ memory: "64m", memorySwap: "32m" }, /memory-swap limit should be larger than the memory limit/],
      [{ memory: "64m", memoryReservation: "128m" }, /can not be less than memory reservation/],
      [{ cpus: "-1" }, /range of CPUs is from 0.01 to 4.00/],
      [{ cpus: "5" }, /only 4 CPUs available/],
      [{ cpus: "0.001" }, /range of CPUs is from 0.01/],
      [{ cpus: "abc" }, /--cpus/],
      [{ cpuShares: "x" }, /--cpu-shares" flag: not an integer/],
      [{ cpusetCpus: "0-7" }, /requested CPUs are not available - requested 0-7, available: 0-3/],
      [{ cpusetCpus: "a" }, /expected a list like 0-2,4/],
      [{ cpusetMems: "1" }, /requested memory nodes are not available/],
      [{ pidsLimit: "1.5" }, /--pids-limit" flag: not an integer/],
      [{ blkioWeight: "5" }, /range of blkio weight is from 10 to 1000/],
      [{ blkioWeight: "2000" }, /--blkio-weight" flag: out of range/],
      [{ deviceReadBps: ["/dev/null:1mb"] }, /\/dev\/null is not a block device/],
      [{ deviceWriteBps: ["sda"] }, /expected <device-path>:<number>/],
      [{ oomScoreAdj: "1001" }, /--oom-score-adj" flag: out of range \(-1000..1000\)/],
      [{ ulimits: ["nofile"] }, /invalid ulimit argument/],
      [{ ulimits: ["bogus=1"] }, /invalid ulimit type: bogus/],
      [{ ulimits: ["nofile=10:5"] }, /soft limit must be less than or equal to hard limit/],
    ];
    for (const [f, msg] of bad) {
      expect(() => res(f)).toThrow(msg);
    }
    expect(() => parseUlimit("core=0")).not.toThrow();
  });
  test("the spec carries resources, rlimits, oomScoreAdj and a --cgroup-parent path, and passes the schema", () => {
    const image = { rootfs: "/img", entrypoint: [], cmd: ["sh"], env: [], workdir: "/", passwd: "root:x:0:0:root:/root:/bin/sh\n", group: "root:x:0:\n" };
    const paths = { id: "ab".repeat(32), rootfs: "/c/rootfs", upper: "/c/upper", work: "/c/work", dir: "/c" };
    const rf = res({ memory: "64m", pidsLimit: "64", ulimits: ["nofile=100:200", "core=-1"], oomScoreAdj: "500" });
    const { spec } = specFromFlags({ env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: [], resources: rf, cgroupsPath: (id) => cgroupsPathFor("cgroupfs", id, "/mine/") }, image, { env: {}, hostname: "h", resolvConf: "", hostsFile: "" }, paths);
    expect(() => parseSpec(spec)).not.toThrow();
    expect(spec.linux!.resources!.memory).toEqual({ limit: 64 << 20, swap: 128 << 20 });
    expect(spec.linux!.resources!.pids).toEqual({ limit: 64 });
    expect(spec.linux!.resources!.devices!.length).toBeGreaterThan(0);
    expect(spec.linux!.cgroupsPath).toBe(`/mine/${paths.id}`);
    expect(spec.process!.rlimits).toEqual([{ type: "RLIMIT_NOFILE", soft: 100, hard: 200 }, { type: "RLIMIT_CORE", soft: 2 ** 64, hard: 2 ** 64 }]);
    expect(spec.process!.oomScoreAdj).toBe(500);
  });
});
