// The one error type of the seccomp module: a bad profile or a rule the compiler cannot express.
import { BunboxError } from "../../errors.ts";

export class SeccompError extends BunboxError {}
