#!/usr/bin/env bun
// Builds dist/probe, the static attack probe the e2e attack tests copy into containers
// (fixtures/probe/probe.c). A test fixture only: never embedded in or shipped with bunbox.
// Cached: rebuilt only when the source is newer than the binary.
//
//   bun scripts/build-probe.ts [--force]
import { $ } from "bun";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/util.ts";

export const PROBE = join(ROOT, "dist", "probe");
const SRC = join(ROOT, "fixtures", "probe", "probe.c");

export const MINIMAL = join(ROOT, "dist", "minimal");
const MINIMAL_SRC = join(ROOT, "fixtures", "seccomp", "minimal.c");

/** dist/minimal: a program of two system calls (write, exit_group), for the seccomp-order test. */
export async function buildMinimal(force = false): Promise<string> {
  if (!force && existsSync(MINIMAL) && statSync(MINIMAL).mtimeMs >= statSync(MINIMAL_SRC).mtimeMs) return MINIMAL;
  if (!Bun.which("gcc")) throw new Error("gcc is missing: apt-get install gcc libc6-dev (.ci/run does)");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  // No libc at all: its start-up alone makes a dozen system calls the test's profile refuses
  await $`gcc -static -nostdlib -O2 -Wall -Werror -o ${MINIMAL}.tmp ${MINIMAL_SRC}`;
  await $`mv -f ${MINIMAL}.tmp ${MINIMAL}`;
  return MINIMAL;
}

export async function buildProbe(force = false): Promise<string> {
  await buildMinimal(force);
  if (!force && existsSync(PROBE) && statSync(PROBE).mtimeMs >= statSync(SRC).mtimeMs) return PROBE;
  if (!Bun.which("gcc")) throw new Error("gcc is missing: apt-get install gcc libc6-dev (.ci/run does)");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  // Static: the busybox image has no libc. Written beside, then renamed, so a failed build
  // never leaves a half-written probe that looks fresh.
  await $`gcc -static -O2 -Wall -Wextra -Werror -o ${PROBE}.tmp ${SRC}`;
  await $`mv -f ${PROBE}.tmp ${PROBE}`;
  console.log(`dist/probe: ${statSync(PROBE).size} bytes`);
  return PROBE;
}

if (import.meta.main) await buildProbe(process.argv.includes("--force"));
