// How Docker reads an image name, for the names bunbox stores: a name without a tag means
// `:latest`, and Docker Hub's official images may be spelled in full. So "busybox",
// "busybox:latest", "library/busybox" and "docker.io/library/busybox:latest" are one image, stored
// as "busybox"; "myimg:v1" or "registry.local/app" stay as they are.

const HUB_PREFIXES = ["docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/", "docker.io/", "index.docker.io/", "registry-1.docker.io/", "library/"];

export function canonicalImageName(ref: string): string {
  let name = ref;
  const prefix = HUB_PREFIXES.find((p) => name.startsWith(p) && name.length > p.length);
  if (prefix) name = name.slice(prefix.length);
  // A digest (@sha256:…) is kept as it is
  if (name.endsWith(":latest") && !name.includes("@") && hasTag(name)) name = name.slice(0, -":latest".length);
  return name;
}

/** The reference names a tag: after the last "/" (app:v1, not registry:5000/app). */
export function hasTag(ref: string): boolean {
  return ref.lastIndexOf(":") > ref.lastIndexOf("/");
}

/** A stored name as Docker's REPOSITORY and TAG show it (a name without a tag is :latest). */
export function repoTag(name: string): [string, string] {
  return hasTag(name) ? [name.slice(0, name.lastIndexOf(":")), name.slice(name.lastIndexOf(":") + 1)] : [name, "latest"];
}
