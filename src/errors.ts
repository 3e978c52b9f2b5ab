// The one error contract: every failure bunbox itself detects is a BunboxError carrying the line
// the user reads and the status Docker would exit with, so the CLI prints `bunbox: <message>` and
// main.ts exits with `exitCode` without knowing any subclass. The subclasses only name where a
// failure comes from (kernel, image, spec, cgroup, state); they choose a status only where Docker
// does not answer 125. A leaf module that imports nothing: every folder may extend it.

export class BunboxError extends Error {
  /**
   * `exitCode`: Docker's status for it: 125 its own failure, 126 cannot execute, 127 command not
   * found, and 1 where Docker's CLI answers 1 (no such container, a wrong argument count, a bad
   * template, no access to the daemon).
   */
  constructor(message: string, readonly exitCode = 125) {
    super(message);
    // The subclass's own name in stack traces (the build does not minify, so names survive)
    this.name = new.target.name;
  }
}
