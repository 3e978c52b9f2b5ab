// cac hands back a string, a number (it coerces "123"), an array (repeated flags) or undefined.
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (Array.isArray(v)) return str(v[v.length - 1]);
  return String(v);
}

export function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** A boolean flag, which may also be written --flag=false. */
export function bool(v: unknown): boolean {
  if (Array.isArray(v)) return bool(v[v.length - 1]);
  return v === true || v === "true" || v === "1";
}
