// The one error type of the seccomp module: a bad profile or a rule the compiler cannot express.
export class SeccompError extends Error {
  override name = "SeccompError";
}
