// Issue 15, found by the long fuzz run: a mutated echo object whose every run submits 128 SQEs
// ran 10,000 runs (69 M instructions, 1.28 M SQEs) in 12 s of CPU, and `run --json` died with
// "Invalid string length" (exit 3). limits.insns and limits.events bound both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { cli } from "./helpers.js";

const flood = fileURLToPath(new URL("fuzz-finds/run-sqe-flood.o", import.meta.url));

test("run of the SQE-flood object stops at limits.insns; the trace is cut at limits.events", async () => {
  const t0 = performance.now();
  const r = await cli(["run", flood]);
  const ms = performance.now() - t0;
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.err,
    /warning E8020: stopped after \d+ runs and \d+ instructions \(limits\.insns\)/,
  );
  assert.match(
    r.err,
    /warning E8020: limits\.events: the trace keeps the first 200000 events; \d+ later/,
  );
  assert.ok(ms < 8000, `run took ${ms} ms`);
});

test("run --json of the SQE-flood object is JSON of bounded size", async () => {
  const r = await cli(["run", "--json", flood]);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  assert.ok(r.out.length < 100 * 1024 * 1024, `${r.out.length} characters`);
  const j = JSON.parse(r.out) as {
    trace: { events: unknown[]; stats: { insns: number } };
    diagnostics: { code: string }[];
  };
  assert.equal(j.trace.events.length, 200_000);
  assert.ok(j.trace.stats.insns <= 10_000_000 + 1_000_000, String(j.trace.stats.insns));
  assert.deepEqual(
    j.diagnostics.map((d) => d.code),
    ["E8020", "E8020"],
  );
});
