// Options of the container lifecycle commands, registered with cac without loading their code.
import type { CAC } from "cac";

export function registerLifecycle(cli: CAC): void {
  const ps = cli.command("ps", "List containers").usage("ps [OPTIONS]")
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("-q, --quiet", "Only display container IDs")
    .option("-f, --filter <filter>", "Filter output: id=, name=, status=, exited=, ancestor=, label=KEY or label=KEY=VALUE, volume=NAME or /PATH (repeatable)", { type: [String] })
    .option("-n, --last <n>", "Show n last created containers (includes all states)", { type: [String] })
    .option("-l, --latest", "Show the latest created container (includes all states)")
    .option("--no-trunc", "Don't truncate output")
    .option("--format <format>", "json (one JSON object per line), or a Go template: '{{.Names}}', 'table {{.ID}}\\t{{.Status}}'", { type: [String] });
  // cac gives a --no-X option the default true, and its help said "--no-trunc … (default: true)":
  // truncating is the default, the flag is off unless given
  for (const o of ps.options) if (o.rawName === "--no-trunc") delete o.config.default;
  cli.command("inspect <container> [...containers]", "Display detailed information on one or more containers")
    .option("-f, --format <template>", "Format the output using the given Go template, such as '{{.State.ExitCode}}' or '{{json .Config}}'", { type: [String] });
  cli.command("logs <container>", "Fetch the logs of a container")
    .option("-f, --follow", "Follow log output")
    .option("--tail <n>", "Number of lines to show from the end of the logs", { type: [String] })
    .option("--since <time>", "Show logs since a timestamp (2013-01-02T13:23:37Z) or relative (42m, 1h30m)", { type: [String] })
    .option("--until <time>", "Show logs before a timestamp (2013-01-02T13:23:37Z) or relative (42m, 1h30m)", { type: [String] })
    .option("-t, --timestamps", "Show timestamps");
  cli.command("stop <container> [...containers]", "Stop one or more running containers")
    .option("-t, --time <seconds>", "Seconds to wait before killing the container (default: its --stop-timeout, else 10; -1: no limit)", { type: [String] })
    .option("-s, --signal <signal>", "Signal to send first (default: its --stop-signal, else SIGTERM)", { type: [String] });
  cli.command("kill <container> [...containers]", "Kill one or more running containers")
    .option("-s, --signal <signal>", "Signal to send (default KILL)", { type: [String] });
  cli.command("rm <container> [...containers]", "Remove one or more containers")
    .option("-f, --force", "Force the removal of a running container (uses SIGKILL)")
    .option("-v, --volumes", "Remove anonymous volumes associated with the container (-v /path; named ones stay)");
  cli.command("wait <container> [...containers]", "Block until one or more containers stop, then print their exit codes");
  cli.command("start <container> [...containers]", "Start one or more stopped containers (in the background)")
    .option("-a, --attach", "Attach its stdout and stderr until it ends, and exit with its status (signals are passed on)");
  cli.command("restart <container> [...containers]", "Restart one or more containers")
    .option("-t, --time <seconds>", "Seconds to wait before killing the container (default: its --stop-timeout, else 10)", { type: [String] });
  cli.command("top <container>", "Display the running processes of a container");
  cli.command("pause <container> [...containers]", "Pause all processes within one or more containers");
  cli.command("unpause <container> [...containers]", "Unpause all processes within one or more containers");
  cli.command("rename <container> <name>", "Rename a container");
  cli.command("container [command]", "Manage containers: container ls, rm, inspect, logs… (Docker's names for the verbs above), container prune")
    .usage("container COMMAND")
    .option("-f, --force", "container prune: do not prompt for confirmation");
  cli.command("gc", "Remove what crashed or killed runs left behind (state, bundles, cgroups)");
}
