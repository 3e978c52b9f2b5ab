// Text a container or an image controls (its processes' command lines, its command, names from
// its archive) reaches the user's terminal through bunbox. Raw, an escape sequence in it can
// retitle the window, rewrite what was printed before it, or on some terminals answer back as
// typed input. Printed as procps prints a command line, or escaped in an error line.

// C0 controls, DEL, C1 controls (ESC's 8-bit forms), U+FFFD (what undecodable bytes became) and
// a lone U+DC80-U+DCFF (a raw byte of a name that is not UTF-8, see sys/bytes-name.ts)
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\ufffd\udc80-\udcff]/gu;

/** Every non-printable character as "?", as ps, top and pgrep show a command line. */
export function procpsSafe(text: string): string {
  return text.replace(UNPRINTABLE, "?");
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One line that shows what was there: \n, \t, \xNN (a raw byte as itself), \u{fffd}. */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const n = c.charCodeAt(0);
    if (ESCAPES[c]) return ESCAPES[c]!;
    if (n >= 0xdc80 && n <= 0xdcff) return `\\x${(n - 0xdc00).toString(16)}`;
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}
