// The cgroup v2 device filter through this kernel's BPF verifier (root): the programs bunbox
// makes load, however many rules, and a refused one says why. The check that it then refuses
// devices runs in the v2 VM (test/e2e/cgroups.test.ts).
import { expect, test } from "bun:test";
import { loadDeviceProgram } from "../../src/sys/bpf.ts";
import { close } from "../../src/sys/fsat.ts";
import { deviceFilterInsns, encodeProgram, type DeviceRule } from "../../src/cgroups/device-filter.ts";
import { DEVICE_RULES } from "../../src/config/docker-defaults.ts";

test("Docker's rules, --privileged, and 60 extra devices load (no verifier log to outgrow)", () => {
  const extra: DeviceRule[] = Array.from({ length: 60 }, (_, i) => ({ allow: true, type: "c", major: 200 + i, minor: 1, access: "rw" }));
  for (const rules of [DEVICE_RULES as DeviceRule[], [{ allow: true, access: "rwm" }], [...(DEVICE_RULES as DeviceRule[]), ...extra]]) {
    const fd = loadDeviceProgram(encodeProgram(deviceFilterInsns(rules)));
    expect(fd).toBeGreaterThan(2);
    close(fd);
  }
});

test("a program the verifier refuses: the error gives its reason", () => {
  // exit with r0 never set
  expect(() => loadDeviceProgram(new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0]))).toThrow(/device filter \(verifier: R0 !read_ok\): EACCES/);
});
