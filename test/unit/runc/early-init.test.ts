// The init `runc create`/`run` spawn before the runtime's code is loaded (cli/runc/early-init.ts):
// only for a plain bundle, read without checking it, and used only if it is the one the checked
// spec asks for (sameSpawn). No root: bundles in a temp dir, nothing spawned.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { earlyRuncSpawn } from "../../../src/cli/runc/early-init.ts";
import { sameSpawn, OCI_STDIO } from "../../../src/runtime/spawn-init.ts";
import { earlyRuncCgroupTarget } from "../../../src/cli/runc/early-cgroup.ts";
import { RUNC_ALLOWED_DEVICES } from "../../../src/runtime/oci/cgroup-target.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-early-runc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, namespaces: unknown[], annotations?: Record<string, string>): string {
  const b = join(dir, name);
  rmSync(b, { recursive: true, force: true });
  mkdirSync(b);
  writeFileSync(join(b, "config.json"), JSON.stringify({ ociVersion: "1.2.0", linux: { namespaces }, ...(annotations ? { annotations } : {}) }));
  return b;
}

describe("runc create/run: the init spawned first, for a plain bundle only", () => {
  const plain = () => bundle("plain", [{ type: "pid" }, { type: "mount" }, { type: "network" }]);

  test("create and run of a bundle with a new pid namespace, global flags and --preserve-fds before the id", () => {
    const b = plain();
    expect(earlyRuncSpawn(["--root", "/r", "--log", "/l", "create", "--bundle", b, "--preserve-fds", "2", "id1"])).toEqual({ newPidNs: true, stdio: OCI_STDIO, preserveFds: 2, staysAsInit: false });
    expect(earlyRuncSpawn(["run", "-b", b, "id2"])).toEqual({ newPidNs: true, stdio: OCI_STDIO, preserveFds: 0, staysAsInit: false });
  });

  test("nothing for other commands, a user namespace, a pid namespace joined by path, no pid namespace, or a bundle that cannot be read", () => {
    const b = plain();
    expect(earlyRuncSpawn(["start", "id1"])).toBeUndefined();
    expect(earlyRuncSpawn(["exec", "--bundle", b, "id1"])).toBeUndefined();
    expect(earlyRuncSpawn(["create", "--bundle", bundle("user", [{ type: "pid" }, { type: "user" }]), "x"])).toBeUndefined();
    expect(earlyRuncSpawn(["create", "--bundle", bundle("joined", [{ type: "pid", path: "/proc/1/ns/pid" }]), "x"])).toBeUndefined();
    expect(earlyRuncSpawn(["create", "--bundle", bundle("nopid", [{ type: "mount" }]), "x"])).toBeUndefined();
    expect(earlyRuncSpawn(["create", "--bundle", join(dir, "missing"), "x"])).toBeUndefined();
    expect(earlyRuncSpawn(["create", "--bundle", b, "--preserve-fds", "x", "id"])).toBeUndefined();
  });

  test("used only when the checked spec asks for that very init", () => {
    const as = earlyRuncSpawn(["create", "--bundle", plain(), "--preserve-fds", "1", "id"])!;
    expect(sameSpawn(as, { newPidNs: true, stdio: OCI_STDIO, preserveFds: 1 })).toBe(true);
    expect(sameSpawn(as, { newPidNs: true, stdio: OCI_STDIO, preserveFds: 0 })).toBe(false);
    expect(sameSpawn(as, { newPidNs: true, stdio: OCI_STDIO, preserveFds: 1, staysAsInit: true })).toBe(false);
    expect(sameSpawn(as, { newPidNs: false, joinPidNs: "/proc/9/ns/pid", stdio: OCI_STDIO, preserveFds: 1 })).toBe(false);
    expect(sameSpawn(as, { newPidNs: true, stdio: "relay", preserveFds: 1 })).toBe(false);
  });
});

describe("runc create/run: its cgroup made with the early init, only where the checked create would make it alike", () => {
  const target = (spec: unknown, id: string | undefined = "c1", systemdCgroup = false) => earlyRuncCgroupTarget({ id, systemdCgroup, spec: spec as never });
  const deny = { allow: false, access: "rwm" };

  test("the spec's path (or bunbox/ID) and its device rules with runc's defaults after them", () => {
    expect(target({ linux: { cgroupsPath: "/docker/c1", resources: { devices: [deny] } } })).toEqual({ cgroupsPath: "/docker/c1", devices: [deny, ...RUNC_ALLOWED_DEVICES] });
    expect(target({ linux: {} })).toEqual({ cgroupsPath: "bunbox/c1", devices: RUNC_ALLOWED_DEVICES });
    expect(target({ linux: { cgroupsPath: "" } })?.cgroupsPath).toBe("bunbox/c1");
  });

  test("nothing for --systemd-cgroup, systemd's path form, an invalid or missing id, or values the checks would refuse", () => {
    expect(target({ linux: {} }, "c1", true)).toBeUndefined();
    expect(target({ linux: { cgroupsPath: "system.slice:docker:c1" } })).toBeUndefined();
    expect(target({ linux: {} }, "../x")).toBeUndefined();
    expect(earlyRuncCgroupTarget({ id: undefined, systemdCgroup: false, spec: { linux: {} } })).toBeUndefined();
    expect(target({ linux: { cgroupsPath: 7 } })).toBeUndefined();
    for (const bad of [{}, { allow: "yes" }, { allow: true, type: "x" }, { allow: true, major: "1" }, { allow: true, minor: 1.5 }, { allow: true, access: "rwx" }, null, "a"]) {
      expect(target({ linux: { resources: { devices: [deny, bad] } } })).toBeUndefined();
    }
    expect(target({ linux: { resources: { devices: { allow: false } } } })).toBeUndefined();
  });
});
