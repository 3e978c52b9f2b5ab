/** A mistake in what the user asked for (a flag, a file, a name): Docker answers these with 125. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
