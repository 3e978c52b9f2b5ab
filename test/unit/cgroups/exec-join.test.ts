// exec's stage in a frozen container (issue 14 item 7): it joins every hierarchy but the
// freezer's before its plan runs, so the device rules apply to its first open inside (on v2, a
// sibling of the container's frozen child, below the same device program: item 4).
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { OwnedCgroup } from "../../../src/cgroups/owned.ts";
import { freezerDir } from "../../../src/cgroups/freezer.ts";

let root = "";
afterEach(() => rmSync(root, { recursive: true, force: true }));

function dirs(names: string[], v2Freeze = false): string[] {
  root = mkdtempSync(`${tmpdir()}/cg-join-`);
  return names.map((n) => {
    const d = `${root}/${n}/bunbox/c1`;
    mkdirSync(d, { recursive: true });
    writeFileSync(`${d}/cgroup.procs`, "");
    if (v2Freeze) writeFileSync(`${d}/cgroup.freeze`, "0");
    return d;
  });
}

describe("tryJoinAllButFreezer", () => {
  test("v1: devices, memory and pids are joined, the freezer is left for later", () => {
    const ds = dirs(["devices", "memory", "freezer", "pids"]);
    expect(freezerDir(ds)).toBe(`${root}/freezer/bunbox/c1`);
    new OwnedCgroup({ dirs: ds }).tryJoinAllButFreezer(42);
    expect(ds.map((d) => readFileSync(`${d}/cgroup.procs`, "utf8"))).toEqual(["42", "42", "", "42"]);
  });

  test("v2, processes in the container's child: the stage waits in a sibling of the frozen child, under the same device program", () => {
    const [d] = dirs(["unified"]);
    mkdirSync(`${d}/container`);
    writeFileSync(`${d}/container/cgroup.freeze`, "1");
    const cg = new OwnedCgroup({ dirs: [d!] });
    expect(freezerDir(cg.processDirs())).toBe(`${d}/container`);
    cg.tryJoinAllButFreezer(42);
    expect(readFileSync(`${d}/.exec/cgroup.procs`, "utf8")).toBe("42");
    expect(existsSync(`${d}/container/cgroup.procs`)).toBe(false);
    // before the thaw it joins the others (the stage's process is in one cgroup at a time)
    cg.tryJoin(42);
    expect(readFileSync(`${d}/container/cgroup.procs`, "utf8")).toBe("42");
  });

  test("v2, a container made before the child existed: the one directory freezes too, so nothing is joined before the thaw", () => {
    const ds = dirs(["unified"], true);
    new OwnedCgroup({ dirs: ds }).tryJoinAllButFreezer(42);
    expect(readFileSync(`${ds[0]}/cgroup.procs`, "utf8")).toBe("");
  });
});
