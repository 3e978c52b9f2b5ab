// How `bunbox wait` keeps an --rm container's status readable (src/state/files.ts): a shared
// flock on the state directory, which removal waits for, boundedly. flock locks belong to the
// open file, so two opens in one process conflict as two processes would.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tryHoldShared, holdWhileRemoving } from "../../../src/state/files.ts";
import { ContainerStore } from "../../../src/state/containers.ts";

const dir = mkdtempSync(join(tmpdir(), "bunbox-waiters-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a shared hold and the removal that waits for it", () => {
  test("with nobody holding, removal runs at once", () => {
    const d = join(dir, "free");
    mkdirSync(d);
    const t0 = performance.now();
    holdWhileRemoving(d, 2000, () => rmSync(d, { recursive: true }));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(existsSync(d)).toBe(false);
  });

  test("a holder delays removal until the timeout; several holders can share", () => {
    const d = join(dir, "held");
    mkdirSync(d);
    const a = tryHoldShared(d), b = tryHoldShared(d);
    expect([typeof a, typeof b]).toEqual(["function", "function"]);
    const t0 = performance.now();
    const seen = holdWhileRemoving(d, 300, () => performance.now() - t0);
    expect(seen).toBeGreaterThanOrEqual(290);
    a!();
    b!();
  });

  test("a released hold no longer delays it", () => {
    const d = join(dir, "released");
    mkdirSync(d);
    tryHoldShared(d)!();
    const t0 = performance.now();
    holdWhileRemoving(d, 2000, () => {});
    expect(performance.now() - t0).toBeLessThan(500);
  });

  test("no hold while a removal holds it, nor on a directory that is gone", () => {
    const d = join(dir, "removing");
    mkdirSync(d);
    const during = holdWhileRemoving(d, 2000, () => tryHoldShared(d));
    expect(during).toBeUndefined();
    expect(tryHoldShared(join(dir, "never"))).toBeUndefined();
  });
});

describe("ContainerStore.holdForWaiter", () => {
  test("only a container that has a record can be held", () => {
    const store = new ContainerStore(join(dir, "run"), join(dir, "containers"));
    const rec = { id: "a".repeat(64), name: "x", image: "busybox", command: ["true"], created: "", bundle: "/nonexistent", status: "exited" as const, exitCode: 3 };
    expect(store.holdForWaiter(rec.id)).toBeUndefined();
    mkdirSync(join(dir, "run", rec.id), { recursive: true });
    expect(store.holdForWaiter(rec.id)).toBeUndefined(); // a directory without state.json
    store.save(rec);
    const release = store.holdForWaiter(rec.id);
    expect(typeof release).toBe("function");
    release!();
    store.whenUnwaited(rec.id, () => store.remove(rec), 2000);
    expect(store.load(rec.id)).toBeUndefined();
  });
});

describe("ContainerStore.removeIfUnwaited (an --rm container's end, when nobody waits)", () => {
  const rec = { id: "b".repeat(64), name: "y", image: "busybox", command: ["true"], created: "", bundle: "/nonexistent", status: "running" as const, autoRemove: true };

  test("a waiter's hold: nothing runs, the record stays for its end to be written and read", () => {
    const store = new ContainerStore(join(dir, "run-held"), join(dir, "containers"));
    store.save(rec);
    const release = store.holdForWaiter(rec.id)!;
    let ran = false;
    expect(store.removeIfUnwaited(rec.id, () => true, () => { ran = true; })).toBe(false);
    expect([ran, store.load(rec.id)?.status]).toEqual([false, "running"]);
    release();
  });

  test("no waiter: the current record is removed at once; one the test says to keep is kept", () => {
    const store = new ContainerStore(join(dir, "run-free"), join(dir, "containers"));
    store.save(rec);
    expect(store.removeIfUnwaited(rec.id, (r) => !r.autoRemove, () => { throw new Error("not this one"); })).toBe(false);
    expect(store.removeIfUnwaited(rec.id, (r) => r.autoRemove === true, (r) => store.remove(r))).toBe(true);
    expect(store.load(rec.id)).toBeUndefined();
    expect(store.removeIfUnwaited(rec.id, () => true, () => {})).toBe(false);
  });
});
