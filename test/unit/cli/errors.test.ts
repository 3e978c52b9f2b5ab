// The one error contract: every error bunbox throws carries its line and Docker's exit status, and
// the CLI's describeError passes both on without knowing the class; what is not bunbox's (cac's
// option errors, node:fs errors, anything else) is worded here and exits 125.
import { describe, expect, test } from "bun:test";
import { describeError } from "../../../src/cli/errors.ts";
import { BunboxError } from "../../../src/errors.ts";
import { SysError } from "../../../src/sys/errno.ts";
import { PtyRefused } from "../../../src/sys/devpts.ts";
import { UsageError, ArgumentCountError } from "../../../src/config/errors.ts";
import { SpecError } from "../../../src/config/schema.ts";
import { ImageError } from "../../../src/image/errors.ts";
import { SeccompError } from "../../../src/linux/seccomp/errors.ts";
import { CgroupError } from "../../../src/cgroups/driver.ts";
import { SystemdError } from "../../../src/cgroups/systemd/scope.ts";
import { DBusError } from "../../../src/cgroups/systemd/dbus-connection.ts";
import { DBusWireError } from "../../../src/cgroups/systemd/dbus-signature.ts";
import { NotFound } from "../../../src/state/containers.ts";
import { PermissionDenied, UntrustedStateRoot } from "../../../src/state/trust.ts";
import { RuntimeError } from "../../../src/runtime/errors.ts";
import { ExecError } from "../../../src/linux/process/executable.ts";
import { StepError } from "../../../src/runtime/apply.ts";
import { TemplateError } from "../../../src/cli/template.ts";
import { FlagError } from "../../../src/cli/runc/flags.ts";
import { buildCli } from "../../../src/cli/app.ts";

describe("bunbox's errors: their own line and Docker's status", () => {
  test.each<[string, Error, string, number]>([
    ["a kernel call", new SysError("mount", 1, "/proc on /rootfs/proc"), "mount /proc on /rootfs/proc: EPERM (operation not permitted)", 125],
    ["a refused pty", new PtyRefused("refused to open the container's pty: x"), "refused to open the container's pty: x", 125],
    ["a bad flag", new UsageError("invalid memory: 12q"), "invalid memory: 12q", 125],
    ["an argument count", new ArgumentCountError(`"rm" requires at least 1 argument.`), `"rm" requires at least 1 argument.`, 1],
    ["a spec", new SpecError("config.json", [{ path: "process.args", message: "must not be empty" }]), "config.json: process.args: must not be empty", 125],
    ["an image", new ImageError("No such image: nope"), "No such image: nope", 125],
    ["a seccomp profile", new SeccompError("unknown syscall frob"), "unknown syscall frob", 125],
    ["a cgroup", new CgroupError("cannot write memory.max"), "cannot write memory.max", 125],
    ["systemd", new SystemdError("bunbox-x.scope", "unit exists"), "unit exists", 125],
    ["D-Bus", new DBusError("org.freedesktop.DBus.Error.NoReply", "timed out"), "org.freedesktop.DBus.Error.NoReply: timed out", 125],
    ["D-Bus's wire format", new DBusWireError("bad signature"), "dbus: bad signature", 125],
    ["no such container", new NotFound("No such container: web"), "No such container: web", 1],
    ["no access to the state", new PermissionDenied("permission denied: x"), "permission denied: x", 1],
    ["an untrusted state root", new UntrustedStateRoot("/tmp/x is owned by uid 1000, not root"), "/tmp/x is owned by uid 1000, not root", 125],
    ["the runtime, its default", new RuntimeError("container failed"), "container failed", 125],
    ["the runtime, a status of its own", new RuntimeError("error running prestart hook #0", 1), "error running prestart hook #0", 1],
    ["a command not found", new ExecError(`exec: "nope": executable file not found in $PATH`, 127), `exec: "nope": executable file not found in $PATH`, 127],
    ["a command not executable", new ExecError(`exec: "/etc": is a directory`, 126), `exec: "/etc": is a directory`, 126],
    ["a template", new TemplateError("function \"nope\" not defined"), "template: function \"nope\" not defined", 1],
    ["a runc flag", new FlagError("invalid log format \"xml\""), "invalid log format \"xml\"", 125],
  ])("%s", (_, e, message, exitCode) => {
    expect(e).toBeInstanceOf(BunboxError);
    expect(describeError(e, "run")).toEqual({ message, exitCode });
  });

  test("a failed step keeps its cause's line and status", () => {
    const step = { kind: "exec", path: "/bin/nope", args: [], env: [], why: "" } as never;
    expect(describeError(new StepError(step, new ExecError("exec: \"nope\": not found", 127)), "run")).toEqual({ message: "exec: \"nope\": not found", exitCode: 127 });
    expect(describeError(new StepError(step, new Error("odd")), "run")).toEqual({ message: "odd", exitCode: 125 });
  });

  test("a subclass's name is its own, for stack traces", () => {
    expect(new NotFound("x").name).toBe("NotFound");
    expect(new SysError("open", 2).name).toBe("SysError");
  });

  test("control characters from an image or a name cannot forge a second line", () => {
    expect(describeError(new NotFound("No such container: a\nbunbox: ok"), "rm").message).not.toContain("\n");
  });
});

describe("errors from code that is not bunbox's", () => {
  test("node:fs errors name the call, the path and the errno: 125", () => {
    const e = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT", syscall: "open", path: "/x" });
    expect(describeError(e, "run")).toEqual({ message: "open /x: ENOENT", exitCode: 125 });
  });

  test("anything else is bunbox's failure: its message, 125", () => {
    expect(describeError(new TypeError("boom"), "run")).toEqual({ message: "boom", exitCode: 125 });
    expect(describeError("a string", "run")).toEqual({ message: "a string", exitCode: 125 });
  });

  test("cac's unknown option is the user's spelling, with the command's help: 125", () => {
    let thrown: unknown;
    const cli = buildCli("run");
    try {
      cli.parse(["bunbox", "bunbox", "run", "--bogus-flag", "busybox"], { run: false });
      cli.matchedCommand?.checkUnknownOptions();
    } catch (e) {
      thrown = e;
    }
    expect(describeError(thrown, "run", ["run", "--bogus-flag", "busybox"])).toEqual({ message: "unknown flag: --bogus-flag (see 'bunbox run --help')", exitCode: 125 });
  });
});
