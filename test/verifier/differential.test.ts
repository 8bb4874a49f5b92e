// Acceptance of the verifier against the kernel (docs/verifier.md, "Which kernel we match" and
// "Differential harness"): 10,000 generated programs with a fixed seed through ours and the
// kernel oracle. The kernel we are held to is the privileged one (lenient mode: the io_uring
// loader has CAP_BPF + CAP_PERFMON). We must never accept what it rejects, and reject at most
// 2% of what it accepts; our rejections by a target rule the SYSCALL stand-in lacks, or by an
// unprivileged rule we keep that the strict-mode kernel shares, are counted apart ("by design").
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { runDifferential } from "./differential.js";

const N = Number(process.env.IOUBPF_DIFF_N ?? 10_000);
const SEED = 20260514;

test(
  `differential: ${N} generated programs, ours vs the kernel verifier`,
  { timeout: 30 * 60_000 },
  async (t) => {
    const avail = kernelOracleAvailable();
    if (!avail.ok) {
      t.skip(`kernel oracle unavailable: ${avail.reason}`);
      return;
    }
    const r = await runDifferential(N, SEED);
    const c = r.counts;
    t.diagnostic(
      `acceptAccept ${c.acceptAccept} rejectReject ${c.rejectReject} oursOnlyAccept ${c.oursOnlyAccept} kernelOnlyAccept ${c.kernelOnlyAccept} ` +
        `byDesign ${c.byDesign} (target rule ${r.byDesign.targetRule}, unprivileged rule ${r.byDesign.unprivilegedRule}); ` +
        `kernel-only rate ${(r.kernelOnlyRate * 100).toFixed(2)}%; in ${(r.ms / 1000).toFixed(1)} s`,
    );
    for (const x of r.kernelOnly.slice(0, 5))
      t.diagnostic(`kernel-only accept: ours ${x.ours.code} ${x.ours.message}`);
    t.diagnostic(
      `informational: ${r.strictRejectsOurAccept.length} of our ${c.acceptAccept} accepts are rejected by the strict-mode (unprivileged) kernel`,
    );
    assert.equal(r.counts.skipped, 0, "every program reached the kernel");
    assert.ok(
      r.counts.acceptAccept > N / 20,
      `enough accepted programs to judge precision (${r.counts.acceptAccept})`,
    );
    assert.ok(
      r.counts.rejectReject > N / 20,
      `enough rejected programs (${r.counts.rejectReject})`,
    );
    assert.equal(r.counts.oursOnlyAccept, r.oursOnly.length);
    assert.deepEqual(
      r.oursOnly.map((x) => `${x.kernel.reason}\n${x.asm}`).slice(0, 3),
      [],
      `${r.counts.oursOnlyAccept} programs accepted by us and rejected by the privileged kernel`,
    );
    assert.ok(
      r.kernelOnlyRate <= 0.02,
      `we reject ${(r.kernelOnlyRate * 100).toFixed(2)}% of the programs the privileged kernel accepts (at most 2%); first: ${r.kernelOnly[0]?.ours.message}\n${r.kernelOnly[0]?.asm}`,
    );
  },
);
