// `stats` options, registered with cac without loading the command.
import type { CAC } from "cac";

export function registerStats(cli: CAC): void {
  cli.command("stats [...containers]", "Display a live stream of container(s) resource usage statistics")
    .usage("stats [OPTIONS] [CONTAINER...]")
    .option("-a, --all", "Show all containers (default shows just running)")
    .option("--no-stream", "Disable streaming stats and only pull the first result")
    .option("--format <format>", "table (default), json, or a Go template over .Container .Name .ID .CPUPerc .MemUsage .MemPerc .NetIO .BlockIO .PIDs ('table ' adds headers)", { type: [String] })
    .example("stats --no-stream")
    .example("stats --no-stream --format json web")
    .example("stats --no-stream --format 'table {{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}'");
}
