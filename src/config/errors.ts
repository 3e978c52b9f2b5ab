import { BunboxError } from "../errors.ts";

/** A mistake in what the user asked for (a flag, a file, a name): Docker answers these with 125. */
export class UsageError extends BunboxError {
  constructor(message: string, exitCode = 125) {
    super(message, exitCode);
  }
}

/** Too few or too many arguments for a command: Docker's CLI answers these with 1, not 125. */
export class ArgumentCountError extends UsageError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** A seccomp profile bunbox cannot use: a bad profile file, or a rule the compiler cannot express. */
export class SeccompError extends BunboxError {}
