// Kernel logs of many megabytes (issue 16): `verify --kernel --json` prints the log cut in the
// middle to 64 KiB (its start and its end, where the complaint is; docs/limits.md), and a log
// that overflowed the buffer still yields the cause of the rejection, not the statistics of the
// retry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import { captureIO } from "../cli.test.js";
import { writeElf } from "../../src/elf/writer.js";
import { objectFromInsns } from "../../src/kernel/oracle.js";
import { asm, EXIT, I, LDXDW, MOV64_IMM, ADD64_IMM, needKernel } from "./helpers.js";

const JLT_IMM = 0xa5;

test("a rejection after a 99,999-iteration loop at log level 2: bounded JSON, the cause named", async (t) => {
  if (!needKernel(t)) return;
  // r0 = 0; loop: r0 += 1; if r0 < 99999 goto loop; r0 = *(u64 *)(r0 + 0); exit
  const obj = objectFromInsns({
    insns: asm(
      I(MOV64_IMM, 0, 0, 0, 0),
      I(ADD64_IMM, 0, 0, 0, 1),
      I(JLT_IMM, 0, 0, -2, 99_999),
      I(LDXDW, 0, 0, 0),
      I(EXIT),
    ),
  });
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-klog-"));
  const file = join(dir, "long.o");
  writeFileSync(file, writeElf(obj));
  const io = captureIO();
  await runCli(
    [
      "verify",
      "--kernel",
      "--lenient",
      "--target",
      "iouring-v2",
      "--log-level",
      "2",
      "--json",
      file,
    ],
    io,
  );
  // The log is cut to 64 KiB (docs/limits.md); JSON escapes (\n, \t) add a little.
  assert.ok(io.out.length < 72 * 1024, `${io.out.length} bytes of JSON`);
  const j = JSON.parse(io.out) as {
    verdict: string;
    reason?: string;
    log: string;
    logCut?: number;
    logLength?: number;
  };
  assert.ok(j.log.length < 64 * 1024 + 100, `${j.log.length} characters of log`);
  assert.ok((j.logCut ?? 0) > 0 && (j.logLength ?? 0) > j.log.length, "says how much was cut");
  assert.match(j.log, new RegExp(`${j.logCut} characters of the log cut`));
  assert.equal(j.verdict, "reject");
  assert.match(j.reason ?? "", /invalid mem access|scalar/);
  assert.doesNotMatch(j.reason ?? "", /^(stack depth|verification time|processed)/);
});
