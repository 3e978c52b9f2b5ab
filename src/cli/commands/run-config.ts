// run/create flags that describe the container rather than its process (labels, stop settings,
// restart policy, --ipc/--pid, -v/--mount): parsed and checked with Docker's messages before
// anything is made. What the record keeps is `config`; the rest goes into the spec.
import type { Context } from "../context.ts";
import type { RecordConfig } from "../../state/containers.ts";
import type { RunFlags } from "../../config/from-flags.ts";
import { parseLabels, parseStopTimeout } from "../../config/container-config.ts";
import { parseRestartPolicy } from "../../config/restart-policy.ts";
import { signalNumber } from "../../runtime/lifecycle.ts";
import { volumesDirFor } from "../../state/volumes.ts";
import { UsageError } from "../../config/errors.ts";
import { namespacesFromFlags } from "./namespace-donors.ts";
import { planMounts, type PlannedMounts } from "./run-mounts.ts";
import { bool, list, str } from "../values.ts";

export interface ContainerSettings {
  config: RecordConfig;
  namespaces: NonNullable<RunFlags["namespaces"]>;
  mounts: PlannedMounts;
}

export function containerSettings(o: Record<string, unknown>, ctx: Context, readText: (path: string, what: string) => string): ContainerSettings {
  const stopSignal = str(o.stopSignal);
  if (stopSignal !== undefined) signalNumber(stopSignal); // Docker refuses a bad one at create
  const stopTimeout = parseStopTimeout(str(o.stopTimeout));
  const labels = parseLabels(list(o.label), list(o.labelFile).map((f) => ({ file: f, text: readText(f, "label file") })));
  // --ipc/--pid container:NAME: that container must be running now (its namespaces are joined by path)
  const shared = namespacesFromFlags(str(o.ipc), str(o.pid), () => ctx.containers());
  // -v and --mount: parsed and checked now; volumes are made only when the container is (run.ts)
  const mounts = planMounts(list(o.volume), list(o.mount), volumesDirFor(ctx.paths.containers));
  const restartPolicy = parseRestartPolicy(str(o.restart));
  if (restartPolicy.Name !== "no" && bool(o.rm)) throw new UsageError("Conflicting options: --restart and --rm");
  const config: RecordConfig = {
    labels, ...shared.config,
    ...(restartPolicy.Name !== "no" ? { restartPolicy } : {}),
    ...(mounts.volumes.length ? { volumes: mounts.volumes } : {}),
    ...(stopSignal !== undefined ? { stopSignal } : {}),
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
  };
  return { config, namespaces: shared.namespaces, mounts };
}
