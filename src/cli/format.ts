// Docker's human formats: "2 minutes ago", "1.2MB", and aligned tables.
import { procpsSafe } from "./sanitize.ts";

/** Made once, when a time is first printed (ps builds a row's fields whether the template shows them or not). */
let zoneFormat: Intl.DateTimeFormat | undefined;

/** A time as Go's time.Time.String() prints it, in the local zone: "2006-01-02 15:04:05 -0700 MST" (docker ps's .CreatedAt). */
export function goTimeString(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(Math.abs(n)).padStart(2, "0");
  const offset = -d.getTimezoneOffset();
  const zone = (zoneFormat ??= new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${offset < 0 ? "-" : "+"}${pad(Math.trunc(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)} ${zone}`;
}

export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return `${humanDuration(s)} ago`;
}

/** Docker's units.HumanDuration: "Less than a second", "3 seconds", "About a minute", "2 hours"… */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  const days = Math.round(hours / 24);
  if (hours < 24 * 7 * 2) return `${days} days`;
  if (hours < 24 * 30 * 2) return `${Math.round(days / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.round(days / 30)} months`;
  return `${Math.round(days / 365)} years`;
}

/** Docker's units.HumanSize: decimal units with 3 significant digits ("2.13MB"). */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes, i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

/**
 * Columns as docker's tabwriter prints them: each at least `minWidth` wide and three spaces past
 * its widest cell (tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) for ps, images, stats and volume ls;
 * top's is 20 wide). Cells can hold what a container controls (top's command lines, ps's
 * COMMAND): non-printables shown as "?".
 */
export function table(header: string[], unsafeRows: string[][], minWidth = 10): string {
  const rows = unsafeRows.map((r) => r.map(procpsSafe));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(Math.max(minWidth, widths[i]! + 3)))).join("").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
