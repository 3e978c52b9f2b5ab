// bunbox's version and commit, set by scripts/build.ts (--define): a module of their own, so that
// the OCI command line, which prints them, does not load the CLI's (cac and every command's options).
declare const BUILD_VERSION: string;
declare const BUILD_COMMIT: string;

export const VERSION = typeof BUILD_VERSION === "string" ? BUILD_VERSION : "dev";
export const COMMIT = typeof BUILD_COMMIT === "string" ? BUILD_COMMIT : "unknown";
