// The busybox image inside the binary (built by scripts/busybox-image.ts from Debian's
// busybox-static). Imported lazily: only `run busybox` before its first import reads it.
import busyboxTar from "../../dist/busybox.tar.zst" with { type: "file" };

export const busyboxTarPath: string = busyboxTar;
