// Placeholder entry point for the build tooling; the real CLI replaces it at merge.
declare const BUILD_VERSION: string;
declare const BUILD_COMMIT: string;

if (process.argv.includes("--version")) {
  console.log(`bunbox version ${BUILD_VERSION}\ncommit: ${BUILD_COMMIT}`);
} else {
  console.error("usage: bunbox --version");
  process.exit(2);
}
