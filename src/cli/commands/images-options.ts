// import/images/rmi options, registered with cac without loading the image store.
import type { CAC } from "cac";

export function registerImages(cli: CAC): void {
  cli.command("import <file> [name]", "Import a root filesystem tarball (.tar, .tar.gz, .tar.zst) as an image")
    .usage("import FILE [NAME]")
    .example("import rootfs.tar.gz debian");
  cli.command("images [name]", "List images (those named NAME only, if given)").usage("images [--quiet] [NAME]").option("-q, --quiet", "Only show image ids");
  cli.command("rmi <image> [...images]", "Remove one or more images").usage("rmi [-f] NAME|DIGEST [NAME|DIGEST...]")
    .option("-f, --force", "Remove the names even if a container uses the image (its layer stays until no container needs it)");
  cli.command("image [command]", "Manage images: image ls, image rm, image import (Docker's names for images, rmi, import)").usage("image COMMAND");
}
