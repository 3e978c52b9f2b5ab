// The record store both front ends share (src/state/record-store.ts), in a temp dir: no root
// needed. Also what Docker's and runc's stores add on top, and that records the previous version
// wrote (Docker's indented JSON, runc's one line) still load.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync, writeFileSync, statSync, readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordStore } from "../../../src/state/record-store.ts";
import type { CoreRecord } from "../../../src/state/record.ts";
import { ContainerStore, type ContainerRecord } from "../../../src/state/containers.ts";
import { OciStore, type OciRecord } from "../../../src/runtime/oci/state.ts";

const tmp = mkdtempSync(join(tmpdir(), "bunbox-record-store-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const fresh = () => join(tmp, `root${n++}`);
const isId = (id: string) => /^[a-z]+$/.test(id);
// mkdir's mode passes through the umask
const masked = (mode: number) => mode & ~process.umask();
const rec = (id: string, over: Partial<CoreRecord> = {}): CoreRecord => ({ id, bundle: `/b/${id}`, created: "2024-01-01T00:00:00Z", ...over });

describe("the generic store", () => {
  test("save then load: <root>/<id>/state.json, written whole and indented; the root 0700, the directory the rules' mode", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o711 });
    store.save(rec("abc", { pid: 7 }));
    expect(store.load("abc")).toEqual(rec("abc", { pid: 7 }));
    expect(readFileSync(`${root}/abc/state.json`, "utf8")).toBe(JSON.stringify(rec("abc", { pid: 7 }), null, 2) + "\n");
    expect(statSync(root).mode & 0o777).toBe(masked(0o700));
    expect(statSync(`${root}/abc`).mode & 0o777).toBe(masked(0o711));
    expect(readdirSync(`${root}/abc`)).toEqual(["state.json"]); // no temp file left behind
    expect(store.exists("abc")).toBe(true);
    expect(store.exists("xyz")).toBe(false);
  });

  test("load refuses what is no record of that id: not an id, no file, bad JSON, a record of another id", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o700 });
    mkdirSync(`${root}/bad`, { recursive: true });
    writeFileSync(`${root}/bad/state.json`, "{half");
    mkdirSync(`${root}/other`);
    writeFileSync(`${root}/other/state.json`, JSON.stringify(rec("abc")));
    mkdirSync(`${root}/ABC`);
    writeFileSync(`${root}/ABC/state.json`, JSON.stringify(rec("ABC")));
    expect(store.load("missing")).toBeUndefined();
    expect(store.load("bad")).toBeUndefined();
    expect(store.load("other")).toBeUndefined();
    expect(store.load("ABC")).toBeUndefined();
    expect(store.load("../x")).toBeUndefined();
  });

  test("the rules' normalise decides what a loaded record is", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o700, normalise: (r, id) => (r.pid ? { ...r, bundle: `/derived/${id}` } : undefined) });
    store.save(rec("a", { pid: 1, bundle: "/planted" }));
    store.save(rec("b"));
    expect(store.load("a")?.bundle).toBe("/derived/a");
    expect(store.load("b")).toBeUndefined();
    expect(store.list().map((r) => r.id)).toEqual(["a"]);
  });

  test("ids are the directories the rule accepts, with a record or not; list loads those with one", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o700 });
    expect(store.ids()).toEqual([]); // no root yet
    expect(store.list()).toEqual([]);
    store.save(rec("one"));
    store.save(rec("two"));
    expect(store.makeDir("bare")).toBe(true);
    mkdirSync(`${root}/names`);
    mkdirSync(`${root}/.cache`);
    expect(store.ids().sort()).toEqual(["bare", "names", "one", "two"]);
    expect(store.list().map((r) => r.id).sort()).toEqual(["one", "two"]);
  });

  test("makeDir says whether it made the directory (what claims rest on)", () => {
    const store = new RecordStore<CoreRecord>(fresh(), { isId, dirMode: 0o700 });
    expect(store.makeDir("c")).toBe(true);
    expect(store.makeDir("c")).toBe(false);
  });

  test("withLock runs fn with <dir>/lock held, making the directory; update changes fields under it", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o700 });
    expect(store.withLock("x", () => existsSync(`${root}/x/lock`))).toBe(true);
    expect(store.update("x", { pid: 3 })).toBeUndefined(); // no record: nothing to change
    store.save(rec("y", { pid: 1, startTime: 5 }));
    expect(store.update("y", { pid: 2 })).toEqual(rec("y", { pid: 2, startTime: 5 }));
    expect(store.load("y")?.pid).toBe(2);
  });

  test("removeDir takes the directory with all in it", () => {
    const root = fresh();
    const store = new RecordStore<CoreRecord>(root, { isId, dirMode: 0o700 });
    store.save(rec("gone"));
    writeFileSync(`${root}/gone/exec.fifo`, "");
    store.removeDir("gone");
    expect(existsSync(`${root}/gone`)).toBe(false);
    store.removeDir("gone"); // already gone: no error
  });
});

const id = "a".repeat(64);
const dockerRec = (over: Partial<ContainerRecord> = {}): ContainerRecord => ({ ...rec(id), name: "web", image: "busybox", command: ["sh"], status: "created", ...over });

describe("Docker's store over it", () => {

  test("the bundle and log path come from the id, never from the file", () => {
    const root = fresh();
    const store = new ContainerStore(root, "/var/lib/bunbox/containers");
    // As the previous version wrote it (indented, a trailing newline), with planted paths
    mkdirSync(`${root}/${id}`, { recursive: true });
    writeFileSync(`${root}/${id}/state.json`, JSON.stringify(dockerRec({ bundle: "/etc", logPath: "/etc/shadow" }), null, 2) + "\n");
    expect(store.load(id)).toMatchObject({ bundle: `/var/lib/bunbox/containers/${id}`, logPath: `/var/lib/bunbox/containers/${id}/${id}-json.log` });
    expect(store.list().map((r) => r.name)).toEqual(["web"]);
    expect(store.resolve("web").id).toBe(id);
    expect(store.resolve("aaaa").id).toBe(id);
  });

  test("only 64-hex ids: names/ and the seccomp cache are no containers", () => {
    const root = fresh();
    const store = new ContainerStore(root, "/c");
    store.claimName("web", id);
    store.save(dockerRec());
    mkdirSync(`${root}/seccomp`);
    expect(store.ids()).toEqual([id]);
    expect(store.load("names")).toBeUndefined();
  });

  test("remove takes the record and its name; dropNamesExcept the names of containers that are gone", () => {
    const root = fresh();
    const store = new ContainerStore(root, "/c");
    const other = "b".repeat(64);
    store.claimName("web", id);
    store.save(dockerRec());
    store.claimName("db", other);
    store.save(dockerRec({ id: other, name: "db" }));
    expect(store.dropNamesExcept(new Set([id, other]))).toEqual([]);
    store.removeDir(other); // a record gone without its name (a killed rm)
    expect(store.dropNamesExcept(new Set([id]))).toEqual([`${root}/names/db`]);
    expect(store.nameTaken("db")).toBe(false);
    store.remove(dockerRec());
    expect([store.load(id), store.nameTaken("web")]).toEqual([undefined, false]);
  });
});

describe("names", () => {
  test("a claim is a link to the id; a name taken is refused naming its owner; a name kept as a file by an earlier version still counts", () => {
    const root = fresh();
    const store = new ContainerStore(root, "/c");
    store.claimName("web", id);
    store.save(dockerRec());
    expect(readlinkSync(`${root}/names/web`)).toBe(id);
    expect(() => store.claimName("web", "b".repeat(64))).toThrow(`the container name "/web" is already in use by container "${id}"`);
    // Before names were links: the id as the file's content
    const old = "c".repeat(64);
    writeFileSync(`${root}/names/db`, old);
    store.save(dockerRec({ id: old, name: "db" }));
    expect(store.nameTaken("db")).toBe(true);
    expect(() => store.claimName("db", "d".repeat(64))).toThrow(`already in use by container "${old}"`);
    expect(store.dropNamesExcept(new Set([id, old]))).toEqual([]);
    store.remove(dockerRec({ id: old, name: "db" }));
    expect(store.nameTaken("db")).toBe(false);
  });
});

describe("runc's store over it", () => {
  const ociRec = (id: string): OciRecord => ({ ...rec(id), rootfs: "/r", annotations: {}, ociVersion: "1.2.0", cgroupDirs: [] });

  test("reads the previous version's one-line records; list is by id", () => {
    const root = fresh();
    const store = new OciStore(root);
    for (const id of ["zeta", "alpha", "mid-1"]) {
      mkdirSync(`${root}/${id}`, { recursive: true });
      writeFileSync(`${root}/${id}/state.json`, JSON.stringify(ociRec(id)));
    }
    mkdirSync(`${root}/.seccomp-cache`);
    expect(store.list().map((r) => r.id)).toEqual(["alpha", "mid-1", "zeta"]);
    expect(store.get("alpha")).toEqual(ociRec("alpha"));
  });

  // claim refuses a root another user owns (trust.ts): a temp dir is root's only when run as root
  test.skipIf(process.getuid?.() !== 0)("claim makes a 0711 directory once; a second claim and an unknown id get runc's words", () => {
    const root = fresh();
    const store = new OciStore(root);
    store.claim("c1");
    expect(statSync(`${root}/c1`).mode & 0o777).toBe(masked(0o711));
    expect(() => store.claim("c1")).toThrow("container with given ID already exists");
    expect(() => store.get("c1")).toThrow("container does not exist");
    expect(() => store.get("a/b")).toThrow("invalid container id format: a/b");
    expect(store.execFifo("c1")).toBe(`${root}/c1/exec.fifo`);
  });
});
