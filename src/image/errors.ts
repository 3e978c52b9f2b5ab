// The one error type for image problems that are not kernel errors (those are SysError):
// corrupt or hostile archives, limits, unknown image names. The message is the user's line.
export class ImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}
