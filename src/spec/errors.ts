/** A mistake in what the user asked for (a flag, a file, a name): Docker answers these with 125. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Too few or too many arguments for a command: Docker's CLI answers these with 1, not 125. */
export class ArgumentCountError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "ArgumentCountError";
  }
}
