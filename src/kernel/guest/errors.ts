// Errors of the guest harness. Each carries a diagnostic code and `why`, one sentence a test
// prints when it skips ("no qemu-system-x86_64 on PATH", "the Debian mirror did not answer").
import { DiagnosticsError } from "../../diagnostics/index.js";

export const GuestCodes = {
  /** A tool the harness needs (qemu, cpio, apt-get, gcc, zstd, busybox) is missing. */
  toolMissing: "E9060",
  /** Fetching the kernel or libbpf from the Debian mirror failed. */
  fetchFailed: "E9061",
  /** Building the initramfs, the init program or the loader failed. */
  buildFailed: "E9062",
  /** qemu failed, timed out, or the guest printed no result frame. */
  bootFailed: "E9063",
} as const;

export class GuestError extends DiagnosticsError {
  /** The serial console, when a boot got that far (kernel oopses land there). */
  console?: string;
  constructor(
    readonly code: (typeof GuestCodes)[keyof typeof GuestCodes],
    readonly why: string,
    hint?: string,
  ) {
    super([{ code, severity: "error", message: why, ...(hint ? { hint } : {}) }]);
    this.name = "GuestError";
  }
}
