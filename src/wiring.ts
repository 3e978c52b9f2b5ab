// Builds the real Context for the CLI: libc, the host probe, state directories, the image store.
import type { CAC } from "cac";
import { parseWith, type Context } from "./cli/context.ts";
import { writeOut, writeErr, stderrIsTTY } from "./cli/output.ts";
import type { GlobalOptions } from "./cli/app.ts";
import { statePaths, type StatePaths } from "./state/paths.ts";
import { trustStateRoot, requireRoot } from "./state/trust.ts";
import { ContainerStore } from "./state/containers.ts";
import { parseCgroupHost, type CgroupHost } from "./cgroups/layout.ts";
import { probeHost, type HostProbe } from "./host/probe.ts";
import { imageResolver, type ImageStoreApi } from "./runtime/images.ts";
import { openImageStore } from "./runtime/image-store.ts";
import { sys as realSys } from "./sys/kernel.ts";
import type { Sys } from "./sys/sys.ts";
import type { SpawnedInit } from "./runtime/spawn-init.ts";

async function embeddedImage(): Promise<Uint8Array> {
  const { busyboxTarPath } = await import("./image/embedded.ts");
  return Bun.file(busyboxTarPath).bytes();
}

/** `cli`: the command line's definitions, for ctx.parse (the OCI command line parses its own: none). */
export function realContext(cli: CAC | undefined, global: GlobalOptions, earlyInit?: SpawnedInit, cgroupHost?: CgroupHost): Context {
  // --root may also follow the command word (`bunbox import --root DIR …`): the command's parse
  // can still move the paths, since nothing below touches them before the command has parsed
  let paths = statePaths(global.root);
  let sys: Sys | undefined;
  let host: HostProbe | undefined;
  // Read by main.ts already when it tried an early cgroup
  let cg: CgroupHost | undefined = cgroupHost;
  let store: ImageStoreApi | undefined;
  let trusted: StatePaths | undefined;
  // Probed once, on first use: each fact is read only when a command asks for it (--version: none)
  const probe = () => (host ??= probeHost());
  // Checked once, when a command first touches the state (explain and --help never do)
  const checked = () => {
    if (trusted !== paths) { trustStateRoot(paths); trusted = paths; }
    return paths;
  };
  return {
    get paths() { return paths; },
    sys: () => (sys ??= realSys),
    host: probe,
    cgroupHost: () => (cg ??= parseCgroupHost(probe().cgroupFiles.mountinfo, probe().cgroupFiles.selfCgroup)),
    appArmor: () => probe().appArmor,
    containers: () => {
      requireRoot();
      const p = checked();
      return new ContainerStore(p.run, p.containers);
    },
    imageStore: () => (store ??= openImageStore(checked().data)),
    images: imageResolver(() => (store ??= openImageStore(checked().data)), embeddedImage),
    embeddedImage,
    parse: (command, args) => {
      if (!cli) throw new Error(`internal: ${command}'s options parsed without the command line's definitions`);
      const parsed = parseWith(cli, command, args);
      const root = parsed.options.root;
      if (root !== undefined) paths = statePaths(String(Array.isArray(root) ? root[root.length - 1] : root));
      return parsed;
    },
    out: writeOut,
    err: writeErr,
    stderrIsTTY,
    takeEarlyInit: () => {
      const init = earlyInit;
      earlyInit = undefined;
      return init;
    },
  };
}
