// In-process CLI runs for the disasm tests.
import type { CliIO } from "../../cli/io.js";

export function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    color: false,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}
