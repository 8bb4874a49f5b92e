// Byte-level mutation of real objects in the verifier differential (issue 16), the kernel as
// judge: a few hundred mutants here (IOUBPF_MUT_N; bench/verifier.ts runs 10,000+), in both
// modes. Privileged: ours (default) against the privileged kernel — nothing we accept may be
// rejected. Unprivileged: ours with `unprivileged` against the strict-mode kernel — likewise,
// apart from helpers the strict-mode SYSCALL stand-in cannot call (an oracle limitation).
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { runMutationDifferential } from "./mutation.js";

const N = Number(process.env.IOUBPF_MUT_N ?? 300);
const SEED = 20261207;

for (const unprivileged of [false, true]) {
  test(
    `mutation differential: ${N} mutated real objects, ${unprivileged ? "unprivileged" : "privileged"} mode`,
    { timeout: 20 * 60_000 },
    async (t) => {
      const avail = kernelOracleAvailable();
      if (!avail.ok) return t.skip(`kernel oracle unavailable: ${avail.reason}`);
      const r = await runMutationDifferential(N, SEED + (unprivileged ? 1 : 0), { unprivileged });
      t.diagnostic(
        `${JSON.stringify(r.counts)}; strict ours-only ${r.strictOursOnly.length}; strict helper refusals (by design) ${r.strictHelperRefused.length}; ${(r.ms / 1000).toFixed(1)} s`,
      );
      for (const x of r.kernelOnly.slice(0, 5))
        t.diagnostic(`kernel-only accept: ${x.asm}: ours ${x.ours.code} ${x.ours.message}`);
      assert.ok(
        r.counts.rejectReject > N / 4,
        `enough rejected mutants (${r.counts.rejectReject})`,
      );
      assert.ok(r.counts.acceptAccept > 0, "some mutants are accepted by both");
      assert.deepEqual(
        r.oursOnly.map((x) => `${x.asm}: ${x.kernel.reason}`),
        [],
        "accepted by us, rejected by the privileged kernel",
      );
      if (unprivileged)
        assert.deepEqual(
          r.strictOursOnly.map((x) => `${x.asm}: ${x.strict?.reason}`),
          [],
          "accepted by our unprivileged model, rejected by the strict-mode kernel",
        );
    },
  );
}
