// Our verifier on compiled linux-7.1 objects (src/verifier/structops.ts): the generated
// plumbing (arguments from r1, regions, kfuncs, geometry .rodata, SQE stores) verifies, and
// a rejection is explained at the .bpf.ts line; the CQ walk, bounded by an open-coded
// bpf_iter_num iterator, converges. The kernel check is not possible here (Linux 6.18 has no
// io_uring_bpf_ops).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compile } from "../../src/codegen/index.js";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import { verifyObject } from "../../src/verifier/index.js";
import { VerifierCodes } from "../../src/verifier/codes.js";

function build(path: string, text = readFileSync(path, "utf8"), cqBatch = 4) {
  const r = compile({ path, text }, { target: "linux-7.1", cqBatch });
  assert.ok(r.object, formatDiagnostics(r.diagnostics));
  return r.object;
}

for (const path of [
  "examples/open-read-close/orc.bpf.ts",
  "examples/ticker/ticker.bpf.ts",
  "examples/copy/copy.bpf.ts",
  "test/programs/valid/l71-fs-tree.bpf.ts",
  "test/programs/valid/l71-pipe-truncate.bpf.ts",
]) {
  test(`compiled linux-7.1 program verifies: ${path} (--cq-batch 4)`, () => {
    const r = verifyObject(build(path), { target: "linux-7.1", file: path });
    assert.equal(r.ok, true, formatDiagnostics(r.diagnostics));
  });
}

test("a compiled linux-7.1 object is rejected without GPL, at no particular line", () => {
  const obj = build("examples/ticker/ticker.bpf.ts");
  const lic = obj.sections.find((s) => s.name === "license")!;
  lic.data = new TextEncoder().encode("MIT\0");
  const r = verifyObject(obj, { target: "linux-7.1" });
  assert.equal(r.ok, false);
  assert.equal(r.diagnostics[0]!.code, VerifierCodes.gplOnly);
});

test("the geometry .rodata can be overridden (VerifyOptions.rodata)", () => {
  // Region sizes and the CQE index mask both come from the geometry globals, so another
  // consistent geometry verifies too. (A size from a declare const, which stays unknown, is
  // the E6042 case of test/verifier/cases/linux71.yaml.)
  const obj = build("examples/ticker/ticker.bpf.ts");
  const small = verifyObject(obj, {
    target: "linux-7.1",
    rodata: { iou_cq_entries: 8, iou_sq_entries: 2 },
  });
  assert.equal(small.ok, true, formatDiagnostics(small.diagnostics));
});

test("a rejection in a compiled linux-7.1 program points at its .bpf.ts line", () => {
  // A geometry of 0 CQ entries: the CQ region is the 64-byte header only, so the plumbing's
  // CQE pointer is out of bounds; the explanation names a line of the source.
  const path = "examples/nop-pump/nop-pump.bpf.ts";
  const r = verifyObject(build(path, readFileSync(path, "utf8"), 64), {
    target: "linux-7.1",
    file: path,
    rodata: { iou_cq_entries: 0 },
  });
  assert.equal(r.ok, false);
  const d = r.diagnostics.find((x) => x.severity === "error")!;
  assert.equal(d.code, VerifierCodes.mapValueOutOfBounds);
  assert.match(d.message, /CQ region \(64 bytes\)/);
  assert.match(d.range?.file ?? "", /nop-pump\.bpf\.ts$/);
  assert.ok((d.range?.start.line ?? 0) > 0);
});

for (const path of [
  "examples/nop-pump/nop-pump.bpf.ts",
  "examples/echo/echo.bpf.ts",
  "test/programs/valid/l71-send-zc.bpf.ts",
]) {
  test(`default --cq-batch (64): the iterator-bounded CQ walk converges: ${path}`, () => {
    const r = verifyObject(build(path, readFileSync(path, "utf8"), 64), { target: "linux-7.1" });
    assert.equal(r.ok, true, formatDiagnostics(r.diagnostics));
    assert.ok(r.stats.programs[0]!.insnsProcessed < 5000, `${r.stats.programs[0]!.insnsProcessed}`);
  });
}

// The kernel (7.2) accepts these; our verifier once rejected them: loops and
// latency-histogram ran out of budget (E6056) because liveness and precision took every
// bpf_iter_num_*/target kfunc call (and every `ja`) to read the whole frame, so the CQ walk's
// states never converged; struct-fixedarray exited with a map pointer in r0 (E6054) from an
// out-of-range FixedArray index, which now ends the run through stop().
for (const [path, limit] of [
  ["test/programs/valid/loops.bpf.ts", 40000],
  ["test/programs/realistic/latency-histogram.bpf.ts", 10000],
  ["test/programs/valid/struct-fixedarray.bpf.ts", 5000],
] as const) {
  test(`-O2 --mcpu v4, default --cq-batch: our verifier accepts ${path}`, () => {
    const r = compile(
      { path, text: readFileSync(path, "utf8") },
      { target: "linux-7.1", opt: 2, mcpu: "v4" },
    );
    assert.ok(r.object, formatDiagnostics(r.diagnostics));
    const v = verifyObject(r.object, { target: "linux-7.1", file: path });
    assert.equal(v.ok, true, formatDiagnostics(v.diagnostics));
    for (const prog of v.stats.programs)
      assert.ok(prog.insnsProcessed < limit, `${prog.name}: ${prog.insnsProcessed} processed`);
  });
}
