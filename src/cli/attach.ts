// `run -a stdin|stdout|stderr`: which of the container's streams bunbox copies to its own. Docker's
// rules: without -a, stdout and stderr; -i always attaches stdin (and -a stdin without -i gives the
// container no stdin to read, as Docker's OpenStdin stays false); a stream not attached is still
// read, so the container never blocks on a full pipe, and dropped (Docker sends it to the log only).
// With -t the pty is one stream, Docker's stdout: shown only when stdout is attached.
import { UsageError } from "../config/errors.ts";

export interface Attach {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export function parseAttach(values: string[], interactive: boolean): Attach {
  const streams = new Set(values.map((v) => {
    const s = v.toLowerCase();
    if (s !== "stdin" && s !== "stdout" && s !== "stderr") throw new UsageError(`invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    return s;
  }));
  const all = streams.size === 0;
  return { stdin: interactive, stdout: all || streams.has("stdout"), stderr: all || streams.has("stderr") };
}
