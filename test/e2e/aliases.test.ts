// Docker's management-command spellings (`container ls`, `image rm`…) on real containers: each
// does what the verb it names does, and the group answers help and unknown subcommands as Docker.
import { afterAll, expect, test } from "bun:test";
import { Sandbox } from "./harness.ts";

const sb = new Sandbox();
afterAll(() => {
  sb.run(["rm", "-f", "al1", "al2"]);
  sb.run(["gc"]);
  expect(sb.leftovers()).toEqual([]);
  sb.cleanup();
});

test("container run/ls/list/ps/inspect/logs/exec/top/stop/start/restart/kill/wait/rename/rm", () => {
  expect(sb.run(["container", "run", "--rm", "busybox", "echo", "hi"])).toMatchObject({ code: 0, stdout: "hi\n" });
  const id = sb.run(["container", "run", "-d", "--name", "al1", "busybox", "sh", "-c", "echo out; sleep 60"]).stdout.trim();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  for (const ls of [["ls"], ["list"], ["ps"]]) expect(sb.run(["container", ...ls, "-q"]).stdout).toBe(id.slice(0, 12) + "\n");
  expect(sb.run(["container", "inspect", "-f", "{{.Name}}", "al1"]).stdout).toBe("/al1\n");
  expect(sb.run(["container", "exec", "al1", "echo", "in"]).stdout).toBe("in\n");
  expect(sb.run(["container", "top", "al1"]).stdout).toContain("sleep 60");
  expect(sb.run(["container", "logs", "al1"]).stdout).toBe("out\n");
  expect(sb.run(["container", "pause", "al1"]).code).toBe(0);
  expect(sb.run(["container", "unpause", "al1"]).code).toBe(0);
  expect(sb.run(["container", "stats", "--no-stream", "al1"]).stdout).toContain("al1");
  expect(sb.run(["container", "restart", "-t", "0", "al1"]).stdout).toBe("al1\n");
  expect(sb.run(["container", "rename", "al1", "al2"]).code).toBe(0);
  expect(sb.run(["container", "kill", "al2"]).stdout).toBe("al2\n");
  expect(sb.run(["container", "wait", "al2"]).stdout).toBe("137\n");
  expect(sb.run(["container", "start", "al2"]).stdout).toBe("al2\n");
  expect(sb.run(["container", "stop", "-t", "0", "al2"]).stdout).toBe("al2\n");
  expect(sb.run(["container", "remove", "al2"]).stdout).toBe("al2\n");
  const created = sb.run(["container", "create", "--name", "al1", "busybox", "true"]);
  expect(created.code).toBe(0);
  expect(sb.run(["container", "rm", "al1"]).stdout).toBe("al1\n");
  expect(sb.run(["container", "ls", "-aq"]).stdout).toBe("");
});

test("image ls/list/import/rm", () => {
  const tar = `${sb.root}/img.tar`;
  // An image to play with: the embedded busybox exported as a tarball by a container
  expect(sb.run(["run", "--rm", "-v", `${sb.root}:/out`, "busybox", "tar", "-cf", "/out/img.tar", "-C", "/", "bin", "etc"]).code).toBe(0);
  expect(sb.run(["image", "import", tar, "aliasimg"]).code).toBe(0);
  expect(sb.run(["image", "ls"]).stdout).toContain("aliasimg");
  expect(sb.run(["image", "list", "-q"]).stdout).not.toBe("");
  expect(sb.run(["image", "rm", "aliasimg"]).code).toBe(0);
  expect(sb.run(["image", "ls"]).stdout).not.toContain("aliasimg");
});

test("the groups' help, and Docker's exit 1 for a subcommand they do not have", () => {
  const help = sb.run(["container", "--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("Usage:  bunbox container COMMAND");
  expect(help.stdout).toMatch(/\n  ls +List containers \(also: list, ps\)\n/);
  expect(help.stdout).toMatch(/\n  prune +Remove all stopped containers\n/);
  const bare = sb.run(["image"]);
  expect(bare.code).toBe(0);
  expect(bare.stderr).toContain("Usage:  bunbox image COMMAND");
  const bad = sb.run(["container", "bogus"]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toStartWith("bunbox: 'bogus' is not a bunbox container command (see 'bunbox container --help')\n\nUsage:  bunbox container COMMAND\n");
  expect(sb.run(["image", "bogus"]).code).toBe(1);
  // still works: prune, and a subcommand's own help
  expect(sb.run(["container", "prune", "-f"])).toMatchObject({ code: 0, stdout: "Deleted Containers:\n\nTotal reclaimed space: 0B\n" });
  expect(sb.run(["container", "ls", "--help"]).stdout).toContain("ps [OPTIONS]");
  // named as typed in Docker's "requires at least 1 argument" (exit 1)
  const noArg = sb.run(["container", "rm"]);
  expect(noArg.code).toBe(1);
  expect(noArg.stderr).toStartWith(`bunbox: "bunbox container rm" requires at least 1 argument`);
  expect(sb.run(["volume", "rm"]).stderr).toStartWith(`bunbox: "bunbox volume rm" requires at least 1 argument`);
});
