// The parent's side: refuse a profile on a host without AppArmor, load bunbox-default when the
// kernel lacks this text, check that another named profile is loaded. The loader is a fake.
import { describe, expect, test } from "bun:test";
import { appArmorHost } from "../../../src/host/apparmor.ts";
import { prepareProfile } from "../../../src/runtime/apparmor.ts";
import { defaultProfile } from "../../../src/linux/apparmor/profile.ts";
import { fakeHost, APPARMOR_HOST } from "./fake-host.ts";

const withProfiles = (list: string) => appArmorHost(fakeHost({ ...APPARMOR_HOST, "/sys/kernel/security/apparmor/profiles": list }));
const current = defaultProfile({ includes: { tunables: true, base: true }, runtimeLabel: "unconfined" });

function prepare(profile: string | undefined, host = withProfiles("")) {
  const loads: string[] = [];
  prepareProfile(profile, host, (text) => loads.push(text));
  return loads;
}

describe("before a container starts", () => {
  test("no profile, or unconfined: nothing to do, with or without AppArmor", () => {
    for (const host of [withProfiles(""), appArmorHost(fakeHost({}))]) {
      expect(prepare(undefined, host)).toEqual([]);
      expect(prepare("unconfined", host)).toEqual([]);
    }
  });
  test("a host without AppArmor refuses any named profile (OCI: never silently dropped)", () => {
    expect(() => prepare("bunbox-default", appArmorHost(fakeHost({})))).toThrow(`AppArmor profile "bunbox-default" cannot be applied: AppArmor is not enabled on this host`);
  });
  test("bunbox-default not loaded (after a boot): loaded once, with this text", () => {
    expect(prepare("bunbox-default")).toEqual([current.text]);
  });
  test("loaded with this very text: not again", () => {
    expect(prepare("bunbox-default", withProfiles(`bunbox-default (enforce)\nbunbox-default//rev-${current.revision} (enforce)\n`))).toEqual([]);
  });
  test("loaded by another version of bunbox: replaced", () => {
    expect(prepare("bunbox-default", withProfiles("bunbox-default (enforce)\nbunbox-default//rev-000000000000 (enforce)\n"))).toEqual([current.text]);
  });
  test("someone else's profile must be loaded already; bunbox never loads it", () => {
    expect(prepare("my-nginx", withProfiles("my-nginx (enforce)\n"))).toEqual([]);
    expect(() => prepare("my-nginx")).toThrow(`AppArmor profile "my-nginx" is not loaded: load it with apparmor_parser -r FILE first, or use --security-opt apparmor=unconfined`);
  });
});
