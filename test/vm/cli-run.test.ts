// `ioubpf run` end to end on a clang-built iouring-v2 program (BTF maps, .rodata/.bss, a
// subprogram): exit codes, text and JSON output, and bad input of every kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";

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

const dir = mkdtempSync(join(tmpdir(), "ioubpf-run-"));
const obj = join(dir, "counter.bpf.o");
execFileSync("clang-19", [
  "-O2",
  "-g",
  "-target",
  "bpf",
  "-mcpu=v3",
  `-I/usr/include/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`,
  "-c",
  join(import.meta.dirname, "programs", "counter.bpf.c"),
  "-o",
  obj,
]);
const scenario = join(dir, "s.yaml");
writeFileSync(
  scenario,
  "ring: { cq_entries: [64, 8] }\ncompletions:\n  - match: { user_data: 5 }\n    error: ENOSPC\n    after: 2\n",
);

test("run: the writer keeps 4 writes in flight until 16 are done", async () => {
  const io = captureIO();
  assert.equal(await runCli(["run", obj, "--scenario", scenario, "--trace"], io), 0, io.err);
  const writes = io.out.split("\n").filter((l) => / submit #\d+ WRITE /.test(l));
  assert.equal(writes.length, 16);
  // Offsets 0, 4096, … 61440 each written once, routed to CQ 1.
  assert.deepEqual(
    writes.map((l) => Number(/off=(\d+)/.exec(l)?.[1] ?? 0)).sort((a, b) => a - b),
    Array.from({ length: 16 }, (_, i) => i * 4096),
  );
  assert.ok(writes.every((l) => / cq=1 /.test(l)));
  assert.match(io.out, /cqe CQ1 \{user_data=0x5 res=-28\}/);
  // stats[0] counts 16 reaped completions (little-endian u64).
  assert.match(io.out, /map stats: 00000000=1000000000000000/);
  assert.match(io.out, /CQ0: 1 CQE\(s\) left: \{user_data=0x0 res=0\}/);
});

test("run --json: trace events, final state and diagnostics as data", async () => {
  const io = captureIO();
  assert.equal(await runCli(["run", obj, "-s", scenario, "--json"], io), 0, io.err);
  const j = JSON.parse(io.out);
  assert.equal(j.ok, true);
  assert.equal(j.errorCount, 0);
  assert.ok(j.trace.events.some((e: { type: string }) => e.type === "reap"));
  assert.equal(j.trace.final.cqs.length, 2);
  assert.equal(j.trace.stats.sqes, 17);
});

test("run: bad input exits 1 with a diagnostic; usage errors exit 2", async () => {
  const missing = captureIO();
  assert.equal(await runCli(["run", join(dir, "nope.o")], missing), 1);
  assert.match(missing.err, /E9001/);

  const badScenario = join(dir, "bad.yaml");
  writeFileSync(
    badScenario,
    "ring: { cq_entries: [0] }\ncompletions: [{ match: { opcode: FROB } }]\nbogus: 1\n",
  );
  const bs = captureIO();
  assert.equal(await runCli(["run", obj, "-s", badScenario], bs), 1);
  assert.match(bs.err, /E8010/);
  assert.match(bs.err, /unknown opcode FROB/);
  assert.match(bs.err, /bogus: unknown key/);

  const garbage = join(dir, "garbage.o");
  writeFileSync(garbage, "not an elf file at all");
  const g = captureIO();
  assert.equal(await runCli(["run", garbage], g), 1);

  const t = captureIO();
  assert.equal(await runCli(["run", obj, "--target", "iouring-v9"], t), 2);

  const p = captureIO();
  assert.equal(await runCli(["run", obj, "--program", "nosuch"], p), 1);
  assert.match(p.err, /E8003/);
});

test("run: a faulting program exits 1 with E8001 and the pc", async () => {
  const asm = join(dir, "f.s");
  const o = join(dir, "f.o");
  writeFileSync(asm, "  r1 = 0\n  r0 = *(u64 *)(r1 + 16)\n  exit\n");
  execFileSync("llvm-mc-19", ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", asm, "-o", o]);
  const io = captureIO();
  assert.equal(await runCli(["run", o], io), 1);
  assert.match(io.err, /E8001.*pc 1: invalid memory access.*0x10/);
});
