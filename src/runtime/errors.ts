// What went wrong while creating or running a container, worded for the user, with the exit
// status Docker would give (125 bunbox's own failure, 126 cannot execute, 127 not found).
import { BunboxError } from "../errors.ts";

export class RuntimeError extends BunboxError {}
