// Shared by the assembler tests: an in-memory CliIO (the same shape as test/cli.test.ts's,
// repeated here so importing it does not also register that file's tests).
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
