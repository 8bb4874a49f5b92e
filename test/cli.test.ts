import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";

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

test("--help exits 0 and an unknown command is a usage error (2)", async () => {
  const io = captureIO();
  assert.equal(await runCli(["--help"], io), 0);
  assert.match(io.out, /Usage: ioubpf/);
  const io2 = captureIO();
  assert.equal(await runCli(["no-such-command"], io2), 2);
  assert.match(io2.err, /unknown command|too many arguments/);
});
