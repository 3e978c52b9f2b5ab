// The README's "Using it" lines must do what they say (issue 15): a shell with no -it exits at
// once (stdin is /dev/null), and `logs -f` never returns, so nothing may be chained after it.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";

const readme = readFileSync(`${import.meta.dir}/../../README.md`, "utf8");
const block = /## Using it[^]*?```sh\n([^]*?)```/.exec(readme)![1]!;
const commands = block.split("\n").filter(Boolean).flatMap((line) => line.replace(/\s+#.*$/, "").split(/;|&&/).map((c) => c.trim()));

test("a shell started with no command after it is interactive (-it)", () => {
  const shells = commands.filter((c) => /\b(run|exec)\b/.test(c) && /\bsh$/.test(c));
  expect(shells.length).toBeGreaterThan(0);
  for (const c of shells) expect([c, /\s-it\s/.test(c)]).toEqual([c, true]);
});

test("logs -f ends its line: it blocks what would follow", () => {
  for (const line of block.split("\n")) {
    const code = line.replace(/\s+#.*$/, "");
    if (/\blogs\b.*\s-f\b/.test(code)) expect([code, /(;|&&)/.test(code.slice(code.indexOf("logs")))]).toEqual([code, false]);
  }
});
