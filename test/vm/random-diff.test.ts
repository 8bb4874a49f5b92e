// Random differential testing, VM vs kernel: random kernel-acceptable programs and inputs
// (random-programs.ts) run in the VM and with BPF_PROG_TEST_RUN (random-diff.ts); every
// register, stack byte, context byte, global-data byte, return value, queued SQE and emitted
// CQE must agree. Prints the figures and a coverage summary (instruction forms per group,
// memory regions, helpers); fails if a generatable form was never in a compared program.
//
// IOUBPF_DIFF_PAIRS (default 10,000; the acceptance floor is 5,000) sets how many (program,
// input) pairs; IOUBPF_DIFF_SEED (default fixed) the seed. Skips, saying why, when the kernel
// oracle cannot run here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { runRandomDiff, summary } from "./random-diff.js";

const avail = kernelOracleAvailable();
const skip = avail.ok
  ? false
  : `kernel oracle unavailable: ${(avail as { reason: string }).reason}`;
const pairs = Number(process.env.IOUBPF_DIFF_PAIRS ?? 10_000);
const seed = Number(process.env.IOUBPF_DIFF_SEED ?? 20261124);

test(
  `VM and kernel agree on ${pairs} random (program, input) pairs (seed ${seed})`,
  { skip: skip && (console.log(`random diff skipped: ${skip}`), skip), timeout: 240_000 },
  async () => {
    const r = await runRandomDiff({ pairs, seed });
    console.log(`random diff: ${summary(r)}`);
    console.log(r.coverage.summary());
    assert.equal(r.rejected, 0, "the kernel rejected generated programs");
    assert.deepEqual(r.mismatches.slice(0, 3), [], `${r.mismatches.length} mismatches`);
    assert.equal(r.mismatches.length, 0);
    // Pairs compared (counted after both sides ran), not generated.
    assert.ok(r.pairs >= pairs, `only ${r.pairs} pairs compared`);
    if (process.env.IOUBPF_DIFF_PAIRS === undefined) assert.ok(r.pairs >= 5_000);
    assert.ok(r.ringPairs > 0, "no io_uring cases ran");
    assert.deepEqual(r.coverage.missing(), [], "instruction forms no compared program contained");
    for (const region of ["stack", "context", "global data"])
      assert.ok((r.coverage.regions.get(region) ?? 0) > 0, `no ${region} accesses`);
    for (const helper of [164, 165])
      assert.ok((r.coverage.helpers.get(helper) ?? 0) > 0, `helper ${helper} never called`);
  },
);

test("the differential comparison reports a planted VM difference", { skip }, async () => {
  const r = await runRandomDiff({
    pairs: 64,
    seed: 7,
    inputsPerLoad: 4,
    ringEvery: 0,
    plant: true,
  });
  // Body 0 of every batch differs (r3 flipped) on every input; nothing else does.
  assert.equal(r.mismatches.length, 4, r.mismatches.join("\n"));
  assert.ok(r.mismatches.every((m) => m.includes("body 0,")));
});
