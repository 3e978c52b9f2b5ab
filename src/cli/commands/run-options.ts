// `run`'s options: registered with cac for parsing and help, without loading the engine.
import type { CAC, Command } from "cac";
import type { OptionSpec } from "../argv.ts";

export const RUN_VALUE_OPTIONS: OptionSpec = {
  long: new Set(["name", "hostname", "env", "env-file", "workdir", "user", "group-add", "volume", "tmpfs", "network", "entrypoint", "root", "cap-add", "cap-drop", "security-opt",
    "memory", "memory-swap", "memory-reservation", "cpus", "cpu-shares", "cpuset-cpus", "cpuset-mems", "pids-limit",
    "blkio-weight", "device-read-bps", "device-write-bps", "oom-score-adj", "ulimit", "cgroup-parent", "cgroup-manager", "log-opt",
    "label", "label-file", "stop-signal", "stop-timeout", "shm-size", "attach", "ipc", "pid", "mount", "restart", "userns", "uidmap", "gidmap"]),
  short: new Set(["h", "e", "w", "u", "v", "m", "c", "l", "a"]),
};

export function registerRun(cli: CAC): void {
  withRunOptions(cli.command("run <image> [...command]", "Create and run a new container from an image").usage("run [OPTIONS] IMAGE [COMMAND] [ARG...]"))
    .example("run --rm busybox echo hello")
    .example("run --rm -e NAME=world busybox sh -c 'echo hello $NAME'")
    .example("run --rm ./rootfs.tar.zst   (IMAGE: busybox, an imported name, a rootfs tarball or a directory;")
    .example("                              with no COMMAND: busybox runs sh, a tarball or directory /bin/sh,")
    .example("                              an imported image has none: 'No command specified', as Docker)");
}

/** `create`: run's options, for a container that waits in Created for `bunbox start`. */
export function registerCreate(cli: CAC): void {
  withRunOptions(cli.command("create <image> [...command]", "Create a new container (start it with 'bunbox start')").usage("create [OPTIONS] IMAGE [COMMAND] [ARG...]"))
    .example("create --name web busybox httpd -f; bunbox start web");
}

function withRunOptions(cmd: Command): Command {
  return cmd
    .option("--name <name>", "Assign a name to the container", { type: [String] })
    .option("-h, --hostname <name>", "Container host name", { type: [String] })
    .option("-e, --env <KEY=VAL>", "Set environment variables", { type: [String] })
    .option("--env-file <file>", "Read in a file of environment variables", { type: [String] })
    .option("-w, --workdir <dir>", "Working directory inside the container", { type: [String] })
    .option("-u, --user <user>", "Username or UID (format: <name|uid>[:<group|gid>])", { type: [String] })
    .option("--group-add <group>", "Add additional groups to join", { type: [String] })
    .option("--rm", "Automatically remove the container when it exits")
    .option("--restart <policy>", "Restart policy of a detached container: no, on-failure[:max-retries], always, unless-stopped (while the host is up: nothing restarts containers after a reboot)", { type: [String] })
    .option("--explain [mode]", "Narrate each system call that makes the container on stderr (--explain=timing adds durations and a timeline of both processes; --explain=timeline prints the timeline alone)")
    .option("--init", "Run an init inside the container that forwards signals and reaps processes")
    .option("-d, --detach", "Run the container in the background and print its id")
    .option("-v, --volume <HOST:CTR[:ro]>", "Bind mount a host directory (/HOST:/CTR[:ro]), a named volume (NAME:/CTR[:ro], made if missing) or a new anonymous volume (/CTR)", { type: [String] })
    .option("--mount <type=…,target=…>", "Attach a filesystem mount: type=bind|volume|tmpfs, source=, target=, readonly, bind-propagation=, bind-nonrecursive, volume-nocopy, tmpfs-size=, tmpfs-mode=", { type: [String] })
    .option("--tmpfs <path>", "Mount a tmpfs directory", { type: [String] })
    .option("--read-only", "Mount the container's root filesystem as read only")
    .option("--network <mode>", "Network: none (own namespace, loopback only) or host", { type: [String] })
    .option("-i, --interactive", "Keep STDIN open")
    .option("-a, --attach <stream>", "Attach to STDIN, STDOUT or STDERR (repeatable; default stdout and stderr; not with -d)", { type: [String] })
    .option("-t, --tty", "Allocate a pseudo-TTY")
    .option("--cap-add <cap>", "Add Linux capabilities (or ALL)", { type: [String] })
    .option("--cap-drop <cap>", "Drop Linux capabilities (or ALL)", { type: [String] })
    .option("--privileged", "Give extended privileges: all capabilities, no seccomp, no masked paths")
    .option("--security-opt <opt>", "no-new-privileges, seccomp=unconfined|PROFILE.json, apparmor=unconfined|PROFILE", { type: [String] })
    .option("-m, --memory <bytes>", "Memory limit (b, k, m, g; at least 6m)", { type: [String] })
    .option("--memory-swap <bytes>", "Memory plus swap limit: -1 unlimited (default twice --memory)", { type: [String] })
    .option("--memory-reservation <bytes>", "Memory soft limit", { type: [String] })
    .option("--cpus <n>", "Number of CPUs (fractional: 0.5)", { type: [String] })
    .option("-c, --cpu-shares <n>", "CPU shares (relative weight)", { type: [String] })
    .option("--cpuset-cpus <list>", "CPUs in which to allow execution (0-3, 0,1)", { type: [String] })
    .option("--cpuset-mems <list>", "Memory nodes in which to allow execution (0-3, 0,1)", { type: [String] })
    .option("--pids-limit <n>", "Tune container pids limit (-1 for unlimited)", { type: [String] })
    .option("--blkio-weight <n>", "Block IO (relative weight), between 10 and 1000, or 0 to disable", { type: [String] })
    .option("--device-read-bps <dev:rate>", "Limit read rate (bytes per second) from a device", { type: [String] })
    .option("--device-write-bps <dev:rate>", "Limit write rate (bytes per second) to a device", { type: [String] })
    .option("--oom-score-adj <n>", "Tune host's OOM preferences (-1000 to 1000)", { type: [String] })
    .option("--ulimit <name=soft[:hard]>", "Ulimit options", { type: [String] })
    .option("--cgroup-parent <path>", "Optional parent cgroup for the container (a slice such as my.slice with the systemd manager)", { type: [String] })
    .option("--cgroup-manager <manager>", "systemd (a scope per container; the default where systemd runs cgroup v2) or cgroupfs", { type: [String] })
    .option("--log-opt <KEY=VALUE>", "Log options of -d containers (json-file): max-size=10m (k, m, g: units of 1000 bytes), max-file=3 (files kept, rotated at max-size); these are the defaults", { type: [String] })
    .option("--entrypoint <cmd>", "Overwrite the default ENTRYPOINT of the image", { type: [String] })
    .option("-l, --label <KEY=VALUE>", "Set meta data on a container (a bare KEY: empty value; see ps -f label=)", { type: [String] })
    .option("--label-file <file>", "Read in a line delimited file of labels", { type: [String] })
    .option("--stop-signal <signal>", "Signal to stop a container (default SIGTERM)", { type: [String] })
    .option("--stop-timeout <seconds>", "Timeout (in seconds) to stop a container (default 10; -1: no limit)", { type: [String] })
    .option("--shm-size <bytes>", "Size of /dev/shm (b, k, m, g; default 64m)", { type: [String] })
    .option("--ipc <mode>", "IPC namespace: private (default), shareable (others may join it), none (no /dev/shm), host, container:NAME (its SysV IPC and message queues; /dev/shm stays the container's own)", { type: [String] })
    .option("--pid <mode>", "PID namespace: the container's own (default), host, or container:NAME (see and signal its processes)", { type: [String] })
    .option("--userns <mode>", "User namespace: host (default: root in the container is root on the host) or auto (container root is an unprivileged host uid: root's /etc/subuid range, else 100000-165535)", { type: [String] })
    .option("--uidmap <ctr:host:size>", "A user namespace mapping container uids to host uids (repeatable; e.g. 0:100000:65536)", { type: [String] })
    .option("--gidmap <ctr:host:size>", "Its gid mapping (default: the same as --uidmap)", { type: [String] });
}
