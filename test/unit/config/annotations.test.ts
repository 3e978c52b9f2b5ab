// bunbox's settings travel in config.json as annotations: written in one place, read in one place.
import { describe, expect, test } from "bun:test";
import { bunboxSettings, settingsAnnotations, OVERLAY_ANNOTATION } from "../../../src/config/annotations.ts";
import { specFromFlags, type RunFlags } from "../../../src/config/from-flags.ts";
import { UsageError } from "../../../src/config/errors.ts";

const flags = (over: Partial<RunFlags> = {}): RunFlags => ({ env: [], envFileLines: [], volumes: [], tmpfs: [], readOnly: false, network: "none", interactive: false, tty: false, command: ["sh"], ...over });
const image = { rootfs: "/img/abc", entrypoint: [], cmd: ["sh"], env: [], workdir: "", passwd: "", group: "" };
const paths = { id: "0123456789abcdef", dir: "/c/x", rootfs: "/c/x/rootfs", upper: "/c/x/upper", work: "/c/x/work" };
const host = { env: {}, hostname: "h", resolvConf: "", hostsFile: "", overlayVolatile: true };

describe("bunbox's settings as annotations", () => {
  test("what run's flags write is what the plan, run, inspect and rmi read back", () => {
    const { spec } = specFromFlags(flags({ name: "web", init: true, remove: true, workdir: "/srv" }), image, host, paths);
    expect(bunboxSettings(spec.annotations)).toEqual({
      overlay: { lower: "/img/abc", upper: "/c/x/upper", work: "/c/x/work", volatile: true },
      init: true, stdinNull: true, workdir: "/srv", name: "web",
    });
    // config.json keeps the order and the encoding it always had
    expect(spec.annotations).toEqual({
      "org.bunbox.overlay": `{"lower":"/img/abc","upper":"/c/x/upper","work":"/c/x/work","volatile":true}`,
      "org.bunbox.name": "web", "org.bunbox.stdin": "null", "org.bunbox.init": "true", "org.bunbox.workdir": "/srv",
    });
    expect(Object.keys(spec.annotations!)).toEqual(["org.bunbox.overlay", "org.bunbox.name", "org.bunbox.stdin", "org.bunbox.init", "org.bunbox.workdir"]);
  });

  test("-i, no --init, no name: those annotations are absent", () => {
    const { spec } = specFromFlags(flags({ interactive: true }), image, host, paths);
    expect(Object.keys(spec.annotations!)).toEqual(["org.bunbox.overlay", "org.bunbox.workdir"]);
    expect(bunboxSettings(spec.annotations)).toMatchObject({ init: false, stdinNull: false, workdir: "", name: undefined });
  });

  test("a runc bundle has none of them: everything off", () => {
    expect(bunboxSettings(undefined)).toEqual({ overlay: undefined, init: false, stdinNull: false, workdir: undefined, name: undefined });
    expect(bunboxSettings({ "org.example": "x" }).overlay).toBeUndefined();
  });

  test("the entrypoint and -u as given, for inspect's Config.Entrypoint and Config.User; a foreign entrypoint value is ignored", () => {
    const { spec } = specFromFlags(flags({ entrypoint: "sh", command: ["-c", "sleep 1"], user: "1000:1000" }), image, host, paths);
    expect(spec.process?.args).toEqual(["sh", "-c", "sleep 1"]);
    expect(bunboxSettings(spec.annotations)).toMatchObject({ entrypoint: ["sh"], user: "1000:1000" });
    // None: the image has no ENTRYPOINT, and no -u
    expect(Object.keys(specFromFlags(flags(), image, host, paths).spec.annotations!)).not.toContain("org.bunbox.entrypoint");
    expect(bunboxSettings({ "org.bunbox.entrypoint": "{not a list" }).entrypoint).toBeUndefined();
    expect(bunboxSettings({ "org.bunbox.entrypoint": "[1]" }).entrypoint).toBeUndefined();
  });

  test("encoding and decoding are each other's inverse", () => {
    const s = { overlay: { lower: "/a", upper: "/b", work: "/c" }, init: false, stdinNull: true, workdir: "", name: undefined };
    expect(bunboxSettings(settingsAnnotations(s))).toEqual(s);
  });

  test.each([
    ["not JSON", "{lower"],
    ["a layer that is not a path", `{"lower":7,"upper":"/u","work":"/w"}`],
    ["a missing layer", `{"lower":"/l","upper":"/u"}`],
    ["volatile not a boolean", `{"lower":"/l","upper":"/u","work":"/w","volatile":"yes"}`],
  ])("an overlay annotation bunbox did not write is refused in one line: %s", (_, text) => {
    expect(() => bunboxSettings({ [OVERLAY_ANNOTATION]: text })).toThrow(UsageError);
    expect(() => bunboxSettings({ [OVERLAY_ANNOTATION]: text })).toThrow(/^annotation org\.bunbox\.overlay: not bunbox's overlay/);
  });
});
