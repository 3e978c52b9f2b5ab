// runc's rule for container ids, alone: the early init (cli/runc/early-init.ts) checks an id with
// it before the record store's code is loaded.

/** runc's rule for container ids. */
const ID_PATTERN = /^[\w+.-]+$/;

export function isOciId(id: string): boolean {
  return ID_PATTERN.test(id) && id !== "." && id !== "..";
}
