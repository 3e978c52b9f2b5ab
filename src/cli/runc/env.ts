// What every `bunbox runc` subcommand receives: the global options, the OCI store under --root,
// the engine's dependencies (built on first use) and output.
import type { Context } from "../context.ts";
import type { OciDeps } from "../../runtime/oci/container.ts";
import { OciStore } from "../../runtime/oci/state.ts";

export interface RuncGlobal {
  root: string;
  log?: string;
  logFormat: "text" | "json";
  debug: boolean;
  systemdCgroup: boolean;
  rootless?: boolean;
}

export interface RuncEnv {
  global: RuncGlobal;
  ctx: Context;
  store: OciStore;
  deps(): OciDeps;
  out(text: string): void;
}

export type Subcommand = (args: string[], env: RuncEnv) => Promise<number>;

export function makeEnv(global: RuncGlobal, ctx: Context): RuncEnv {
  const store = new OciStore(global.root);
  let deps: OciDeps | undefined;
  return {
    global, ctx, store, out: ctx.out,
    deps: () => (deps ??= { sys: ctx.sys(), cgroupHost: ctx.cgroupHost(), store, seccompCache: `${global.root}/.seccomp-cache`, appArmor: ctx.appArmor(), host: ctx.host() }),
  };
}
