// The parent's side: refuse a profile on a host without AppArmor, load bunbox-default when the
// kernel lacks this text, check that another named profile is loaded. Policy changes are faked.
import { describe, expect, test } from "bun:test";
import { appArmorHost } from "../../../src/host/apparmor.ts";
import { prepareProfile, type PolicyOps } from "../../../src/runtime/apparmor.ts";
import { defaultProfile } from "../../../src/linux/apparmor/profile.ts";
import { fakeHost, APPARMOR_HOST } from "./fake-host.ts";

const current = defaultProfile({ includes: { tunables: true, base: true }, runtimeLabel: "unconfined" });
const MARKER = `bunbox-default//rev-${current.revision}`;

/** A host whose profile list the fake operations change as the kernel would. */
function kernel(list: string[], label = "unconfined") {
  const profiles = new Set(list);
  const log: string[] = [];
  const host = appArmorHost(fakeHost({
    ...APPARMOR_HOST,
    "/proc/self/attr/apparmor/current": `${label}\n`,
    get "/sys/kernel/security/apparmor/profiles"() { return [...profiles].map((p) => `${p} (enforce)\n`).join(""); },
  }));
  const ops: PolicyOps = {
    load(text) {
      log.push("load");
      // Replacing keeps the children the new text lacks
      profiles.add("bunbox-default");
      for (const m of text.matchAll(/^  profile (\S+) \{$/gm)) profiles.add(`bunbox-default//${m[1]}`);
      expect(text).toBe(defaultProfile({ includes: { tunables: true, base: true }, runtimeLabel: label }).text);
    },
    remove(name) { log.push(`remove ${name}`); profiles.delete(name); },
    lock() { log.push("lock"); return () => log.push("unlock"); },
  };
  const prepare = (profile: string | undefined, use = {}) => prepareProfile(profile, host, use, ops);
  return { host, log, prepare, profiles };
}

describe("before a container starts", () => {
  test("no profile, or unconfined: nothing to do, with or without AppArmor", () => {
    const k = kernel([]);
    k.prepare(undefined);
    k.prepare("unconfined");
    prepareProfile("unconfined", appArmorHost(fakeHost({})));
    expect(k.log).toEqual([]);
  });
  test("a host without AppArmor refuses any named profile (OCI: never silently dropped)", () => {
    expect(() => prepareProfile("bunbox-default", appArmorHost(fakeHost({})))).toThrow(`AppArmor profile "bunbox-default" cannot be applied: AppArmor is not enabled on this host`);
  });
  test("bunbox-default not loaded (after a boot): loaded once, under the lock", () => {
    const k = kernel(["lsb_release"]);
    k.prepare("bunbox-default");
    expect(k.log).toEqual(["lock", "load", "unlock"]);
    k.prepare("bunbox-default");
    expect(k.log).toEqual(["lock", "load", "unlock"]);
  });
  test("loaded with this very text: not again, no lock", () => {
    const k = kernel(["bunbox-default", MARKER]);
    k.prepare("bunbox-default");
    expect(k.log).toEqual([]);
  });
  test("loaded by another version: replaced, and the old revision marker the kernel kept is removed", () => {
    const k = kernel(["bunbox-default", "bunbox-default//rev-000000000000"]);
    k.prepare("bunbox-default");
    expect(k.log).toEqual(["lock", "load", "remove bunbox-default//rev-000000000000", "unlock"]);
    expect([...k.profiles].filter((p) => p.startsWith("bunbox-default//"))).toEqual([MARKER]);
  });
  test("two revisions listed (a load not cleaned up): the text cannot be told, so loaded again", () => {
    const k = kernel(["bunbox-default", MARKER, "bunbox-default//rev-000000000000"]);
    k.prepare("bunbox-default");
    expect(k.log).toEqual(["lock", "load", "remove bunbox-default//rev-000000000000", "unlock"]);
  });
  test("someone else's profile must be loaded already; bunbox never loads it", () => {
    kernel(["my-nginx"]).prepare("my-nginx");
    expect(() => kernel([]).prepare("my-nginx")).toThrow(`AppArmor profile "my-nginx" is not loaded: load it with apparmor_parser -r FILE first, or use --security-opt apparmor=unconfined`);
  });
  test("bunbox confined itself: its containers may still receive its signals (another text)", () => {
    const k = kernel([], "bunbox-host");
    k.prepare("bunbox-default");
    expect(k.log).toEqual(["lock", "load", "unlock"]);
  });
  test("…but with no-new-privileges the kernel would refuse the change at execve: said before", () => {
    expect(() => kernel([], "bunbox-host").prepare("bunbox-default", { noNewPrivileges: true })).toThrow(
      `bunbox itself runs confined by the AppArmor profile "bunbox-host": with no-new-privileges the kernel refuses the change to "bunbox-default" at execve; run bunbox unconfined, drop no-new-privileges, or use --security-opt apparmor=unconfined`);
    kernel([]).prepare("bunbox-default", { noNewPrivileges: true });
  });
});
