// `volume create|ls|inspect|rm|prune`: each its own cac command (volume-ls…, reached through
// cli/groups.ts), since -f is --filter for ls and --force for rm and prune, as in Docker.
import type { CAC } from "cac";

export function registerVolume(cli: CAC): void {
  cli.command("volume-create [name]", "Create a volume").usage("volume create [OPTIONS] [VOLUME]")
    .option("--label <KEY=VALUE>", "Set metadata for a volume", { type: [String] })
    .option("-d, --driver <driver>", "Volume driver name (only local)", { type: [String] })
    .option("-o, --opt <KEY=VALUE>", "Set driver specific options (the local driver here takes none)", { type: [String] })
    .example("volume create data; bunbox run --rm -v data:/data busybox sh -c 'date > /data/when'");
  cli.command("volume-ls", "List volumes").usage("volume ls [OPTIONS]")
    .option("-q, --quiet", "Only display volume names")
    .option("-f, --filter <filter>", "Filter: dangling=true|false, name=, label=KEY[=VALUE], driver=local (repeatable)", { type: [String] })
    .option("--format <format>", "json, or a Go template over .Name .Driver .Mountpoint .Labels .Scope .CreatedAt", { type: [String] });
  cli.command("volume-inspect <volume> [...volumes]", "Display detailed information on one or more volumes").usage("volume inspect [OPTIONS] VOLUME [VOLUME...]")
    .option("-f, --format <template>", "Format the output using the given Go template", { type: [String] });
  cli.command("volume-rm <volume> [...volumes]", "Remove one or more volumes (not one a container uses)").usage("volume rm [OPTIONS] VOLUME [VOLUME...]")
    .option("-f, --force", "Do not fail on a volume that does not exist");
  cli.command("volume-prune", "Remove all local volumes not used by at least one container").usage("volume prune [OPTIONS]")
    .option("-f, --force", "Do not prompt for confirmation")
    .option("--filter <filter>", "label=KEY[=VALUE]: only those volumes", { type: [String] });
}
