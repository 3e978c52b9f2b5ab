// Host detection from the files the kernel exposes, with a fake filesystem for each kind of host.
import { describe, expect, test } from "bun:test";
import { appArmorHost, parseProfiles, parseLabel } from "../../../src/host/apparmor.ts";
import { fakeHost, APPARMOR_HOST } from "./fake-host.ts";

describe("is AppArmor on?", () => {
  test("a Debian or Ubuntu host: the module says Y and securityfs has its directory", () => {
    const h = appArmorHost(fakeHost(APPARMOR_HOST));
    expect(h.enabled).toBe(true);
    expect(h.confinesByDefault).toBe(true);
    expect(h.includes()).toEqual({ tunables: true, base: true });
    expect(h.ownLabel()).toBe("unconfined");
  });
  test.each([
    ["no module at all (this lab machine)", {}],
    ["built in, disabled at boot (apparmor=0)", { "/sys/module/apparmor/parameters/enabled": "N\n", "/sys/kernel/security/apparmor": null }],
    ["enabled, securityfs not mounted", { "/sys/module/apparmor/parameters/enabled": "Y\n" }],
  ])("off: %s", (_, files) => {
    expect(appArmorHost(fakeHost(files as Record<string, string | null>)).enabled).toBe(false);
  });
  test("on, but no apparmor_parser (a minimal VM): containers are not confined by default, as with Docker", () => {
    const { "/usr/sbin/apparmor_parser": _, ...rest } = APPARMOR_HOST;
    const h = appArmorHost(fakeHost(rest));
    expect(h.enabled).toBe(true);
    expect(h.confinesByDefault).toBe(false);
  });
  test("no policy directory: neither include is used", () => {
    const { "/etc/apparmor.d/tunables/global": _t, "/etc/apparmor.d/abstractions/base": _b, ...rest } = APPARMOR_HOST;
    expect(appArmorHost(fakeHost(rest)).includes()).toEqual({ tunables: false, base: false });
  });
});

describe("which profiles are loaded", () => {
  test("name → mode, child profiles as parent//child", () => {
    expect([...parseProfiles(APPARMOR_HOST["/sys/kernel/security/apparmor/profiles"])]).toEqual([
      ["lsb_release", "enforce"], ["nvidia_modprobe", "enforce"], ["nvidia_modprobe//kmod", "enforce"], ["some-app", "complain"],
    ]);
  });
  test("an unreadable list is unknown, not empty", () => {
    const { "/sys/kernel/security/apparmor/profiles": _, ...rest } = APPARMOR_HOST;
    expect(appArmorHost(fakeHost(rest)).loaded()).toBeUndefined();
  });
  test("bunbox's own label, from either attribute file", () => {
    expect(parseLabel("unconfined\n")).toBe("unconfined");
    expect(parseLabel("snap.docker.dockerd (enforce)\0\n")).toBe("snap.docker.dockerd");
    expect(parseLabel("")).toBe("unconfined");
  });
});
