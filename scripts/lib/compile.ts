// One place that knows how bunbox is compiled, shared by build.ts and the tests
// that check the flags (so they test exactly what ships).
import { resolve } from "node:path";

export interface CompileOptions {
  entry: string;
  outfile: string;
  /** A Bun compile target such as bun-linux-arm64; omit for this machine. */
  target?: Bun.Build.CompileTarget;
  define?: Record<string, string>;
  /** Embed this file wherever the source imports dist/busybox.tar.zst (cross targets). */
  image?: string;
  /** Bytecode order files recorded from runs of an earlier build (BUN_BYTECODE_ORDER_OUT). */
  bytecodeOrder?: string[];
}

/**
 * JavaScriptCore's tier-up thresholds scaled by this from the start: a container start runs each
 * function a few times, and JIT-compiling them cost more CPU than it saved (interleaved runs).
 * src/runtime/jit-policy.ts turns the normal policy back on for long or hot work (imports, the
 * monitor).
 */
export const START_JIT_POLICY = 100;

export async function compile(o: CompileOptions): Promise<void> {
  const r = await Bun.build({
    entrypoints: [o.entry],
    compile: {
      outfile: o.outfile,
      ...(o.target ? { target: o.target } : {}),
      // A container runtime must not pick up .env or bunfig.toml from whatever
      // directory it is started in.
      autoloadDotenv: false,
      autoloadBunfig: false,
      jitPolicy: START_JIT_POLICY,
      // Profile-guided layout: the bytecode a container start uses sits together at the front
      ...(o.bytecodeOrder?.length ? { bytecodeOrder: o.bytecodeOrder } : {}),
    },
    // Bytecode cuts startup; esm keeps top-level await working with it.
    bytecode: true,
    format: "esm",
    // Separate chunks for main.ts's dynamic imports: the init stage and the CLI each load only
    // their own code. One chunk holding everything took ~12 ms more to start (measured), and
    // the binary starts two or more times per container.
    splitting: true,
    // minify measured no startup gain (20.5 vs 20.9 ms, within noise) and
    // mangles names in stack traces, so it stays off.
    minify: false,
    // "linked" embeds the map in the executable (~12 KB) so traces show src/ lines.
    sourcemap: "linked",
    define: o.define,
    plugins: o.image ? [imagePlugin(resolve(o.image))] : [],
  });
  if (!r.success) throw new AggregateError(r.logs, `compile ${o.outfile} failed`);
}

// Cross targets need the busybox of their own architecture; the source always
// imports dist/busybox.tar.zst, so redirect that one import.
function imagePlugin(path: string): Bun.BunPlugin {
  return {
    name: "bunbox-image-arch",
    setup(b) {
      b.onResolve({ filter: /(^|\/)busybox\.tar\.zst$/ }, () => ({ path }));
    },
  };
}
