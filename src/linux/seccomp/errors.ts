// The one error type of the seccomp module: a bad profile or a rule the compiler cannot express.
// Defined with the spec's errors, since Docker's profile files (config/docker-seccomp*.ts) throw it too.
export { SeccompError } from "../../config/errors.ts";
