// The one error type for image problems that are not kernel errors (those are SysError):
// corrupt or hostile archives, limits, unknown image names. The message is the user's line.
import { BunboxError } from "../errors.ts";

export class ImageError extends BunboxError {
  constructor(message: string) {
    super(printable(message));
  }
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Entry names come from the archive and may hold newlines or terminal escapes: shown as \n, \r,
 * \t, \xNN so an error stays one line and cannot forge output (a name "x\nbunbox: imported OK").
 * A byte of a name that is not UTF-8 (U+DC80+byte, sys/bytes-name.ts) shows as \xNN too.
 */
export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f\udc80-\udcff]/gu, (c) => {
    const n = c.charCodeAt(0);
    return ESCAPES[c] ?? `\\x${(n >= 0xdc80 ? n - 0xdc00 : n).toString(16).padStart(2, "0")}`;
  });
}
