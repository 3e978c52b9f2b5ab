// A bundle's config.json, read and checked against the OCI schema (config/schema.ts). A module of
// its own: the schema is built when it is first loaded, which only create and exec need (start and
// delete load it only for a bundle with hooks).
import { readFileSync } from "../../sys/files.ts";
import { parseSpec, type Spec } from "../../config/schema.ts";
import { RuntimeError } from "../errors.ts";

export function readBundleSpec(bundle: string): Spec {
  let text: string;
  try {
    text = readFileSync(`${bundle}/config.json`, "utf8");
  } catch (e) {
    throw new RuntimeError(`open ${bundle}/config.json: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`, 1);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) { throw new RuntimeError(`config.json: invalid JSON: ${(e as Error).message}`, 1); }
  return parseSpec(json);
}
