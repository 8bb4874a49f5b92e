// `ioubpf verify`: the kernel's verdict on the command line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";
import { needKernel } from "./helpers.js";

function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    color: false,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const fx = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/kernel/${name}.o`, import.meta.url));

test("verify --help offers --kernel and --lenient", async () => {
  const io = captureIO();
  assert.equal(await runCli(["verify", "--help"], io), 0);
  assert.match(io.out, /--kernel/);
  assert.match(io.out, /--lenient/);
});

test("verify --kernel: accepted (exit 0, JSON) and rejected (exit 1, E9020 and the log)", async (t) => {
  if (!needKernel(t)) return;
  const ok = captureIO();
  const code = await runCli(["verify", "--kernel", "--json", fx("chain")], ok);
  const json = JSON.parse(ok.out) as {
    verdict: string;
    mode: string;
    processedInsns: number;
    ok: boolean;
    reason?: string;
  };
  if (json.verdict === "unavailable") return t.skip(`unavailable: ${json.reason}`);
  assert.equal(code, 0);
  assert.equal(json.ok, true);
  assert.equal(json.verdict, "accept");
  assert.equal(json.mode, "strict");
  assert.ok(json.processedInsns > 0);

  const bad = captureIO();
  assert.equal(await runCli(["verify", "--kernel", fx("uninit")], bad), 1);
  assert.match(bad.out, /rejected by the kernel verifier \(strict mode/);
  assert.match(bad.out, /invalid read from stack/);
  assert.match(bad.err, /E9020/);

  const lenient = captureIO();
  assert.equal(await runCli(["verify", "--kernel", "--lenient", fx("uninit")], lenient), 0);
  assert.match(lenient.out, /accepted by the kernel verifier \(lenient mode/);
});

test("verify --kernel on a missing file is E9001 and an unknown target a usage error", async () => {
  const io = captureIO();
  assert.equal(await runCli(["verify", "--kernel", "/nonexistent.o"], io), 1);
  assert.match(io.err, /E9001/);
  const io2 = captureIO();
  assert.equal(await runCli(["verify", "--kernel", "--target", "nope", fx("chain")], io2), 2);
});

test("verify --kernel where the oracle cannot run: exit 1 with E9010 and the reason", async () => {
  process.env.IOUBPF_NO_KERNEL_ORACLE = "1";
  try {
    const io = captureIO();
    assert.equal(await runCli(["verify", "--kernel", fx("chain")], io), 1);
    assert.match(io.err, /E9010/);
    assert.match(io.err, /disabled by IOUBPF_NO_KERNEL_ORACLE/);
    const json = captureIO();
    assert.equal(await runCli(["verify", "--kernel", "--json", fx("chain")], json), 1);
    assert.equal((JSON.parse(json.out) as { verdict: string }).verdict, "unavailable");
  } finally {
    delete process.env.IOUBPF_NO_KERNEL_ORACLE;
  }
});
