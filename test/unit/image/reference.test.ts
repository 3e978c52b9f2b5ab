// Docker's reading of image names (image/reference.ts): one name per image whatever the spelling.
import { describe, expect, test } from "bun:test";
import { canonicalImageName } from "../../../src/image/reference.ts";

describe("image names as Docker reads them", () => {
  test("no tag is :latest, and Docker Hub's official images may be spelled in full", () => {
    for (const ref of ["busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox:latest", "index.docker.io/library/busybox"]) {
      expect(canonicalImageName(ref)).toBe("busybox");
    }
    expect(canonicalImageName("docker.io/acme/app:latest")).toBe("acme/app");
  });

  test("other tags, registries, ports and digests stay as given", () => {
    for (const ref of ["myimg:v1", "registry.local:5000/app", "registry.local:5000/app:v2", "app@sha256:0123", "latest", "docker.io/", "a/b:latest/c"]) {
      expect(canonicalImageName(ref)).toBe(ref);
    }
    expect(canonicalImageName("registry.local:5000/app:latest")).toBe("registry.local:5000/app");
  });
});
