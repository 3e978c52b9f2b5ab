// What went wrong while creating or running a container, worded for the user, with the exit
// status Docker would give (125 bunbox's own failure, 126 cannot execute, 127 not found).
export class RuntimeError extends Error {
  constructor(message: string, readonly exitCode = 125) {
    super(message);
    this.name = "RuntimeError";
  }
}
