// Times as Docker prints them (cli/format.ts).
import { expect, test } from "bun:test";
import { goTimeString } from "../../../src/cli/format.ts";

test("ps's .CreatedAt as Go's time.Time.String(): local time, offset and zone", () => {
  const iso = "2026-12-07T10:15:02.250Z";
  const out = goTimeString(iso);
  expect(out).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+$/);
  // The same instant: the printed local time minus its offset is the UTC time (seconds kept, no fraction)
  const m = out.match(/^(\S+) (\S+) ([+-])(\d\d)(\d\d)/)!;
  const local = Date.parse(`${m[1]}T${m[2]}Z`) - (m[3] === "-" ? -1 : 1) * (Number(m[4]) * 60 + Number(m[5])) * 60_000;
  expect(local).toBe(Date.parse("2026-12-07T10:15:02Z"));
  if (process.env.TZ === "UTC" || new Date().getTimezoneOffset() === 0) expect(out).toBe("2026-12-07 10:15:02 +0000 UTC");
});
