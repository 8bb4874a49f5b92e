// Objects executed on the real kernel (the oracle's BPF_PROG_TEST_RUN) with scripted CQEs:
// the SQEs queued, the CQEs emitted and the context written back are asserted against values
// computed here from the SQE layout table, not copied from our output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelRun } from "../../src/kernel/index.js";
import { contextField, getTarget } from "../../src/targets/targets.js";
import { ROOT, compileFile, ctxBytes, expectedSqe, mustCompile, needKernel, setGlobal } from "./helpers.js";

const V2 = getTarget("iouring-v2");
const WAIT_NR = contextField(V2, "wait_nr")!;
const WAIT_IDX = contextField(V2, "wait_idx")!;
const ctxU32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

test("examples/copy: READ at 0, WRITE of N at 0, READ at N, … until SIZE, then stop", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/copy/copy.bpf.ts")));
  const IN = 3, OUT = 4, BUF = 0x7000_0000_1000n, SIZE = 100n, BLOCK = 16 * 1024;
  setGlobal(obj, "IN_FD", BigInt(IN), 4);
  setGlobal(obj, "OUT_FD", BigInt(OUT), 4);
  setGlobal(obj, "BUF", BUF, 8);
  setGlobal(obj, "SIZE", SIZE, 8);
  const Read = 1n, Write = 2n;
  // One run (the first): onStart's READ, then the reap loop over CQ 1 (wait_idx).
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [
      [],
      [
        { userData: Read, res: 40 },
        { userData: Write, res: 40 },
        { userData: Read, res: 40 },
        { userData: Write, res: 40 },
        { userData: Read, res: 20 },
        { userData: Write, res: 20 },
        { userData: Read, res: 99 }, // never reaped: the program stopped
      ],
    ],
  });
  assert.equal(r.verdict, "accept", r.reason);
  assert.equal(r.retval, 0);
  const read = (off: bigint): Uint8Array =>
    expectedSqe("READ", { fd: IN, addr: BUF, len: BLOCK, off, userData: Read }, ["fixedFile"]);
  const write = (off: bigint, n: number): Uint8Array =>
    expectedSqe("WRITE", { fd: OUT, addr: BUF, len: n, off, userData: Write }, ["fixedFile"]);
  const want = [read(0n), write(0n, 40), read(40n), write(40n, 40), read(80n), write(80n, 20)];
  assert.deepEqual(r.sqes.map(hex), want.map(hex));
  assert.deepEqual(r.emitted, [{ cq: 0, userData: 0n, res: 100, flags: 0 }]);
  assert.equal(r.reaped, 6);
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0, "stopped: wait_nr 0");
});

test("examples/copy: a read error is reported and stops; the started flag is set", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/copy/copy.bpf.ts")));
  // The started flag set: as on any run after the first.
  const flag = obj.symbols.find((s) => s.name === "copy__started")!;
  assert.equal(flag.section, ".bss");
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 2),
    cqes: [[], [], [{ userData: 1n, res: -5 }]],
  });
  assert.equal(r.verdict, "accept", r.reason);
  // First run: onStart queued a READ, then the error CQE on CQ 2 was reaped and reported.
  assert.equal(r.sqes.length, 1);
  assert.deepEqual(r.emitted, [{ cq: 0, userData: 1n, res: -5, flags: 0 }]);
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0);
  assert.equal(r.globals[".bss"]![flag.value], 1, "started flag set");
});

test("examples/nop-pump: 8 NOPs with userData 0..7, re-armed on its CQ", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/nop-pump/nop-pump.bpf.ts")));
  const r = await kernelRun(obj, { target: "iouring-v2", ctx: ctxBytes(0, 1), cqes: [[], [{ userData: 0n, res: 0 }]] });
  assert.equal(r.verdict, "accept", r.reason);
  const want = [...Array(9).keys()].map((i) => expectedSqe("NOP", { userData: BigInt(i) }));
  assert.deepEqual(r.sqes.map(hex), want.map(hex), "8 from onStart, one more after the completion");
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 1, "waits for one more CQE");
  assert.equal(ctxU32(r.ctxOut!, WAIT_IDX.offset), 1, "on the same CQ");
});

test("examples/ticker: the timeout SQE carries cq 1 and re-arms per tick", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/ticker/ticker.bpf.ts")));
  setGlobal(obj, "PERIOD_TS", 0x5000n, 8);
  setGlobal(obj, "TICKS", 3n, 8);
  const ETIME = -62;
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [[], [{ userData: 0n, res: ETIME }, { userData: 1n, res: ETIME }, { userData: 2n, res: ETIME }]],
  });
  assert.equal(r.verdict, "accept", r.reason);
  assert.ok(r.sqes.length >= 1);
  const first = expectedSqe("TIMEOUT", { addr: 0x5000n, cq: 1, userData: 0n, len: 1 });
  // len is what the op fixes (one timespec); compare everything else field by field.
  assert.equal(r.sqes[0]![0], first[0], "opcode");
  assert.equal(hex(r.sqes[0]!.subarray(16, 24)), hex(first.subarray(16, 24)), "addr");
  assert.equal(hex(r.sqes[0]!.subarray(48, 50)), hex(first.subarray(48, 50)), "cq");
  assert.ok(r.emitted.length >= 1);
});

test("examples/ping-pong: ping serves to CQ 2 and returns balls", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/ping-pong/ping.bpf.ts")));
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [[], [{ userData: 5n, res: 0 }, { userData: 99n, res: 0 }]],
  });
  assert.equal(r.verdict, "accept", r.reason);
  assert.deepEqual(r.emitted, [
    { cq: 2, userData: 0n, res: 0, flags: 0 },
    { cq: 2, userData: 6n, res: 0, flags: 0 },
    { cq: 2, userData: 100n, res: -1, flags: 0 },
    { cq: 0, userData: 100n, res: 100, flags: 0 },
  ]);
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0);
});
