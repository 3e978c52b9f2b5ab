// The binary starts with JavaScriptCore's tier-up thresholds scaled up (scripts/lib/compile.ts,
// START_JIT_POLICY): a container start runs each function a few times, and compiling them cost
// more CPU than it saved. Work that runs long or hot (an image import's tar loop, a monitor that
// copies a container's output for hours) turns the normal policy back on first.

/** Normal tier-up from here on (a no-op when not compiled: `bun run`, `bun test`). */
export function normalJitPolicy(): void {
  const unsafe = Bun.unsafe as { setJITPolicy?: (scale: number) => void };
  unsafe.setJITPolicy?.(1);
}
