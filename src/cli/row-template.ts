// `--format` over a list of rows (ps, stats), as Docker's formatter does it: \t and \n written in
// the template are a tab and a newline; "table …" adds a header row (the same template run over
// the column headers) and aligns the tab-separated columns.
import { parseTemplate } from "./template.ts";
import { table } from "./format.ts";

/** `rows`' fields are what the template may name (a missing one is an error, as in Docker's structs). */
export function formatRows(format: string, rows: object[], headers: object): string {
  const isTable = format.startsWith("table");
  const body = (isTable ? format.slice(5) : format).trim().replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const template = parseTemplate(body, { strict: true });
  const lines = rows.map((r) => template.execute(r));
  if (!isTable) return lines.map((l) => l + "\n").join("");
  const header = template.execute(headers).split("\t");
  return table(header, lines.map((l) => l.split("\t")));
}
