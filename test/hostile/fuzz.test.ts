// The short fuzzing run for CI (the long one is `npm run bench -- fuzz`): a few hundred
// mutated inputs per command within about a minute; any crash (exit 3 or a stack trace),
// hang (> 10 s) or case over 1 GiB fails the test, with the saved input named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS, formatStats, runFuzz } from "./fuzz.js";

test(
  "short fuzz run: no crash, hang or memory blow-up in any command",
  { timeout: 180_000 },
  async () => {
    const save = mkdtempSync(join(tmpdir(), "ioubpf-fuzz-fail-"));
    const stats = await runFuzz({
      cases: 300,
      seed: Number(process.env.FUZZ_SEED ?? 0x10b) >>> 0,
      workers: 2,
      budgetMs: Number(process.env.FUZZ_CI_SECONDS ?? 60) * 1000,
      saveDir: save,
    });
    console.log(formatStats(stats));
    assert.equal(stats.crashes + stats.hangs + stats.memory, 0, formatStats(stats));
    // Every command got cases (the budget cuts all commands alike).
    for (const c of COMMANDS) assert.ok((stats.perCommand[c]?.cases ?? 0) > 0, `${c} ran no case`);
  },
);

test(
  "the harness itself sees a hang, a memory blow-up and a crash as failures",
  { timeout: 120_000 },
  async () => {
    const stats = await runFuzz({
      cases: 0,
      selfTest: true,
      workers: 1,
      timeoutMs: 2000,
      memoryLimitMb: 128,
    });
    assert.equal(stats.hangs, 1, formatStats(stats));
    assert.equal(stats.memory, 1, formatStats(stats));
    assert.equal(stats.crashes, 1, formatStats(stats));
  },
);
