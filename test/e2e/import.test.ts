// bunbox import / images / rmi, and running images given as tarball paths or imported names.
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { Sandbox } from "./harness.ts";
import { golden } from "../golden.ts";

const sb = new Sandbox();
afterAll(() => sb.cleanup());

const BUSYBOX_ZST = `${import.meta.dir}/../../dist/busybox.tar.zst`;
const plainTar = `${sb.root}/busybox.tar`;
const gzTar = `${sb.root}/busybox.tar.gz`;
const raw = Bun.zstdDecompressSync(readFileSync(BUSYBOX_ZST));
writeFileSync(plainTar, raw);
writeFileSync(gzTar, Bun.gzipSync(raw));

const normalise = (s: string) => sb.normalise(s.replace(/sha256:[0-9a-f]{64}/g, "sha256:<DIGEST>"));
const imageDirs = () => (existsSync(`${sb.root}/images/sha256`) ? readdirSync(`${sb.root}/images/sha256`) : []);

describe("import, images, rmi", () => {
  test("import prints the digest; the same content again extracts nothing new", () => {
    const a = sb.run(["import", plainTar, "bb"]);
    expect([a.code, a.stderr]).toEqual([0, ""]);
    expect(a.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const b = sb.run(["import", gzTar, "bb-gz"]);
    expect(b.stdout).toBe(a.stdout); // keyed by the decompressed stream: one image, two names
    expect(imageDirs()).toHaveLength(1);
    // docker images NAME: that name only (the existence check scripts make with -q)
    expect(sb.run(["images", "-q", "bb-gz:latest"]).stdout).toBe(sb.run(["images", "-q", "bb"]).stdout);
    expect(sb.run(["images", "-q", "nosuch"]).stdout).toBe("");
    const out = sb.run(["images"]);
    // The CREATED column's width follows its text ("Less than a second ago", "2 seconds ago"):
    // the gaps are normalised (the column rule itself is unit-tested with table())
    const shown = normalise(out.stdout).replace(/ {3,}Less than a second ago| {3,}\d+ seconds? ago/g, "   <CREATED>").replace(/ {3,}/g, "   ");
    expect(shown).toBe(golden("import/images.txt", shown));
  });

  test("run by imported name, by tarball path (.tar, .tar.gz, .tar.zst)", () => {
    for (const image of ["bb", plainTar, gzTar, BUSYBOX_ZST]) {
      const r = sb.run(["run", "--rm", image, "cat", "/etc/group"]);
      expect([r.code, r.stdout]).toEqual([0, "root:x:0:\nnogroup:x:65534:\n"]);
    }
    expect(imageDirs()).toHaveLength(1);
  });

  test("rmi drops a name, then the image", () => {
    expect(sb.run(["rmi", "bb-gz"]).stdout).toBe("Untagged: bb-gz:latest\n");
    const r = sb.run(["rmi", "bb"]);
    expect(normalise(r.stdout)).toBe("Untagged: bb:latest\nDeleted: sha256:<DIGEST>\n");
    const missing = sb.run(["rmi", "bb"]);
    expect([missing.code, missing.stderr]).toEqual([1, "bunbox: No such image: bb\n"]);
    // -f: said, not a failure (Docker's CLI)
    expect(sb.run(["rmi", "-f", "bb"])).toMatchObject({ code: 0, stdout: "", stderr: "bunbox: No such image: bb\n" });
  });

  test("Docker's spellings of a name are one image: no tag is :latest, Docker Hub's official names in full", () => {
    expect(sb.run(["import", plainTar, "tagged:latest"]).code).toBe(0);
    // Stored as "tagged": `images` lists it as Docker does, REPOSITORY tagged, TAG latest
    expect(sb.run(["images"]).stdout.split("\n").some((l) => /^tagged +latest +/.test(l))).toBe(true);
    for (const image of ["tagged", "tagged:latest", "busybox:latest", "docker.io/library/busybox:latest"]) {
      const r = sb.run(["run", "--rm", image, "echo", "ok"]);
      expect([image, r.code, r.stdout]).toEqual([image, 0, "ok\n"]);
    }
    // A tag of its own stays a name of its own
    expect(sb.run(["import", plainTar, "tagged:v1"]).code).toBe(0);
    expect(sb.run(["run", "--rm", "tagged:v1", "true"]).code).toBe(0);
    // docker images REPOSITORY: every tag of it, a row (and an id) per name
    const listed = sb.run(["images", "tagged"]).stdout.split("\n").filter(Boolean).map((l) => l.split(/\s{2,}/).slice(0, 2).join(":"));
    expect([listed[0], ...listed.slice(1).sort()]).toEqual(["REPOSITORY:TAG", "tagged:latest", "tagged:v1"]);
    expect(sb.run(["images", "-q", "tagged"]).stdout.split("\n").filter(Boolean)).toHaveLength(2);
    expect(sb.run(["images", "-q", "tagged:v1"]).stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(sb.run(["rmi", "tagged:v1"]).stdout).toBe("Untagged: tagged:v1\n");
    expect(sb.run(["rmi", "tagged:latest"]).stdout).toMatch(/^Untagged: tagged:latest\n/);
    expect(sb.run(["run", "--rm", "tagged", "true"]).code).toBe(125);
    // The embedded busybox those runs imported is the same image: gone too, as the next test expects
    expect(sb.run(["rmi", "busybox:latest"]).stdout).toMatch(/^Untagged: busybox:latest\nDeleted: sha256:/);
  });

  test("rmi refuses an image a container still uses; -f drops the name and keeps the layer until the container goes", () => {
    expect(sb.run(["import", plainTar, "used"]).code).toBe(0);
    const id = sb.run(["run", "-d", "--name", "user", "used", "true"]).stdout.trim();
    const r = sb.run(["rmi", "used"]);
    expect([r.code, r.stdout, r.stderr.replace(/[0-9a-f]{12}/g, "<ID>")]).toEqual([1, "", 'bunbox: conflict: unable to remove repository reference "used" (must force) - container <ID> is using its referenced image <ID>\n']);
    expect(r.stderr).toContain(id.slice(0, 12));
    const forced = sb.run(["rmi", "-f", "used"]);
    expect([forced.code, forced.stdout]).toEqual([0, "Untagged: used:latest\n"]);
    expect(imageDirs()).toHaveLength(1);
    // the container's root is still there: it runs again
    expect(sb.run(["start", "user"]).code).toBe(0);
    expect(sb.run(["wait", "user"]).stdout).toBe("0\n");
    expect(sb.run(["rm", "user"]).code).toBe(0);
    const digest = imageDirs()[0]!;
    expect(normalise(sb.run(["rmi", digest]).stdout)).toBe("Deleted: sha256:<DIGEST>\n");
    expect(imageDirs()).toHaveLength(0);
  });
});

describe("corrupt archives leave nothing", () => {
  test("a truncated archive names the entry and offset, and leaves no image or temp dir", () => {
    const cut = `${sb.root}/cut.tar`;
    writeFileSync(cut, raw.subarray(0, 700_000));
    const before = imageDirs();
    const r = sb.run(["import", cut, "cut"]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^bunbox: .*truncated.*"bin\/busybox".*offset \d+.*\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(imageDirs()).toEqual(before);
    expect(readdirSync(`${sb.root}/images`).filter((n) => n.startsWith("tmp-"))).toEqual([]);
    expect(sb.run(["images", "-q"]).stdout).not.toContain("cut");
  });

  test("a missing file is one clear line", () => {
    const r = sb.run(["import", `${sb.root}/nope.tar`]);
    expect([r.code, normalise(r.stderr)]).toEqual([125, "bunbox: cannot import <ROOT>/nope.tar: no such file or directory\n"]);
  });
});

test("--root after the command word moves the state too", () => {
  const other = `${sb.root}/other-root`;
  const r = sb.run(["import", "--root", other, plainTar, "elsewhere"]);
  expect(r.code).toBe(0);
  expect(readdirSync(`${other}/images/sha256`)).toHaveLength(1);
  expect(sb.run(["images", "--root", other]).stdout).toContain("elsewhere");
  expect(sb.run(["images"]).stdout).not.toContain("elsewhere");
});
