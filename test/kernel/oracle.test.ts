// The kernel oracle end to end: verdicts in strict and lenient mode, the shims' contracts,
// global data, and runs whose SQEs/CQEs are computed independently here.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  kernelRun,
  kernelVerify,
  objectFromInsns,
  parseProcessedInsns,
} from "../../src/kernel/oracle.js";
import { SHF, SHT, STB, STT, R_BPF } from "../../src/elf/types.js";
import {
  asm,
  CALL,
  EXIT,
  fixture,
  I,
  LDDW,
  LDXDW,
  MOV64_IMM,
  MOV64_REG,
  ADD64_IMM,
  needKernel,
  STDW,
  STXDW,
  STW,
} from "./helpers.js";

const LDXW = 0x61;

/** An SQE as abi.md lays it out. */
function sqe(f: {
  opcode: number;
  fd: number;
  off: bigint;
  len: number;
  userData: bigint;
  cqIdx?: number;
}): Uint8Array {
  const b = new Uint8Array(64);
  const v = new DataView(b.buffer);
  v.setUint8(0, f.opcode);
  v.setInt32(4, f.fd, true);
  v.setBigUint64(8, f.off, true);
  v.setUint32(24, f.len, true);
  v.setBigUint64(32, f.userData, true);
  v.setUint16(48, f.cqIdx ?? 0, true);
  return b;
}

test("strict mode rejects a read of uninitialised stack that lenient mode accepts", async (t) => {
  if (!needKernel(t)) return;
  const obj = objectFromInsns({ insns: asm(I(LDXDW, 0, 10, -8), I(EXIT)) });
  const strict = await kernelVerify(obj, { target: "iouring-v2", strict: true });
  if (strict.verdict === "unavailable") return t.skip(`strict mode unavailable: ${strict.reason}`);
  assert.equal(strict.mode, "strict");
  assert.equal(strict.verdict, "reject");
  assert.equal(strict.errno, 13);
  assert.match(strict.reason ?? "", /invalid read from stack/);
  const lenient = await kernelVerify(obj, { target: "iouring-v2", strict: false });
  assert.equal(lenient.verdict, "accept");
  assert.equal(lenient.mode, "lenient");
});

test("processed-insn count of straight-line code equals its length (no shims)", async (t) => {
  if (!needKernel(t)) return;
  const obj = objectFromInsns({
    insns: asm(I(MOV64_IMM, 0), I(MOV64_IMM, 1, 0, 0, 1), I(MOV64_IMM, 2, 0, 0, 2), I(EXIT)),
  });
  const r = await kernelVerify(obj, { target: "iouring-v2" });
  assert.equal(r.verdict, "accept", r.log);
  assert.equal(r.processedInsns, 4);
  assert.equal(r.programInsns, 4);
  assert.equal(r.shimInsns, 0);
  assert.equal(
    parseProcessedInsns("x\nprocessed 17 insns (limit 1000000) max_states_per_insn 0\n"),
    17,
  );
});

/** reap_cqe(ctx, cq, fp-16, 16) into a buffer pre-filled with 0xff; copies it to ctx; returns r0. */
function reapProgram(cq: number): Uint8Array {
  return asm(
    I(MOV64_REG, 6, 1),
    I(STDW, 10, 0, -16, -1),
    I(STDW, 10, 0, -8, -1),
    I(MOV64_REG, 1, 6),
    I(MOV64_IMM, 2, 0, 0, cq),
    I(MOV64_REG, 3, 10),
    I(ADD64_IMM, 3, 0, 0, -16),
    I(MOV64_IMM, 4, 0, 0, 16),
    I(CALL, 0, 0, 0, 166),
    I(LDXDW, 1, 10, -16),
    I(STXDW, 6, 1, 0),
    I(LDXDW, 1, 10, -8),
    I(STXDW, 6, 1, 8),
    I(EXIT),
  );
}

test("reap_cqe: -ENOENT and a zeroed buffer when empty; pops scripted CQEs per CQ", async (t) => {
  if (!needKernel(t)) return;
  const obj = objectFromInsns({ insns: reapProgram(1) });
  const empty = await kernelRun(obj, {
    target: "iouring-v2",
    cqes: [[{ userData: 9n, res: 9 }], []],
  });
  if (empty.verdict === "unavailable") return t.skip(`unavailable: ${empty.reason}`);
  assert.equal(empty.verdict, "accept", empty.log);
  assert.equal(empty.retval, -2);
  assert.deepEqual(empty.ctxOut, new Uint8Array(16), "out buffer zeroed on failure");
  assert.equal(empty.reaped, 0);

  const cqe = { userData: 0x1122334455667788n, res: -5, flags: 3 };
  const got = await kernelRun(obj, {
    target: "iouring-v2",
    cqes: [[{ userData: 9n, res: 9 }], [cqe]],
  });
  assert.equal(got.retval, 0);
  const want = new Uint8Array(16);
  const v = new DataView(want.buffer);
  v.setBigUint64(0, cqe.userData, true);
  v.setInt32(8, cqe.res, true);
  v.setUint32(12, cqe.flags, true);
  assert.deepEqual(got.ctxOut, want);
  assert.equal(got.reaped, 1);
  assert.deepEqual(got.reapedPerCq.slice(0, 2), [0, 1]);
});

/** emit_cqe(ctx, cq, 0x55, -1, 7); returns r0. */
const emitProgram = (cq: number): Uint8Array =>
  asm(
    I(MOV64_IMM, 2, 0, 0, cq),
    I(MOV64_IMM, 3, 0, 0, 0x55),
    I(MOV64_IMM, 4, 0, 0, -1),
    I(MOV64_IMM, 5, 0, 0, 7),
    I(CALL, 0, 0, 0, 165),
    I(EXIT),
  );

test("emit_cqe records the CQE; a CQ index out of range is -EINVAL", async (t) => {
  if (!needKernel(t)) return;
  const ok = await kernelRun(objectFromInsns({ insns: emitProgram(3) }), {
    target: "iouring-v2",
    nCq: 4,
  });
  if (ok.verdict === "unavailable") return t.skip(`unavailable: ${ok.reason}`);
  assert.equal(ok.retval, 0);
  assert.deepEqual(ok.emitted, [{ cq: 3, userData: 0x55n, res: -1, flags: 7 }]);
  const bad = await kernelRun(objectFromInsns({ insns: emitProgram(4) }), {
    target: "iouring-v2",
    nCq: 4,
  });
  assert.equal(bad.retval, -22);
  assert.deepEqual(bad.emitted, []);
});

/** Zeroes a 64-byte SQE at fp-64, sets opcode and user_data, queues it `times` times with helper `id`. */
function queueProgram(id: number, times: number): Uint8Array {
  const slots = [I(MOV64_REG, 6, 1)];
  for (let off = -64; off < 0; off += 8) slots.push(I(STDW, 10, 0, off, 0));
  slots.push(I(0x72, 10, 0, -64, 22)); // *(u8 *)(r10 - 64) = 22 (READ)
  slots.push(I(STDW, 10, 0, -32, 0x77)); // user_data
  for (let i = 0; i < times; i++) {
    slots.push(
      I(MOV64_REG, 1, 6),
      I(MOV64_REG, 2, 10),
      I(ADD64_IMM, 2, 0, 0, -64),
      I(MOV64_IMM, 3, 0, 0, 64),
      I(CALL, 0, 0, 0, id),
    );
  }
  slots.push(I(EXIT));
  return asm(...slots);
}

test("queue_sqe copies the SQE; beyond maxSqes it is -EBUSY; v1 returns 0, v2 returns 1", async (t) => {
  if (!needKernel(t)) return;
  const want = sqe({ opcode: 22, fd: 0, off: 0n, len: 0, userData: 0x77n });
  const two = await kernelRun(objectFromInsns({ insns: queueProgram(164, 2) }), {
    target: "iouring-v2",
    maxSqes: 1,
  });
  if (two.verdict === "unavailable") return t.skip(`unavailable: ${two.reason}`);
  assert.equal(two.verdict, "accept", two.log);
  assert.equal(two.retval, -16);
  assert.deepEqual(two.sqes, [want]);
  const v2 = await kernelRun(objectFromInsns({ insns: queueProgram(164, 1) }), {
    target: "iouring-v2",
  });
  assert.equal(v2.retval, 1);
  const v1 = await kernelRun(objectFromInsns({ insns: queueProgram(163, 1), section: "iouring" }), {
    target: "iouring-v1",
  });
  assert.equal(v1.verdict, "accept", v1.log);
  assert.equal(v1.sleepable, false);
  assert.equal(v1.retval, 0);
  assert.deepEqual(v1.sqes, [want]);
});

test("a non-sleepable iouring-v2 program (section iouring/) may not call queue_sqe", async (t) => {
  if (!needKernel(t)) return;
  const obj = objectFromInsns({ insns: queueProgram(164, 1), section: "iouring/nosleep" });
  const r = await kernelVerify(obj, { target: "iouring-v2" });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.sleepable, false);
  assert.equal(r.verdict, "reject");
  assert.match(r.reason ?? "", /iouring_queue_sqe is only available to sleepable programs/);
  const s = await kernelVerify(
    objectFromInsns({ insns: queueProgram(164, 1), section: "iouring.s/sleep" }),
    { target: "iouring-v2" },
  );
  assert.equal(s.sleepable, true);
  assert.equal(s.verdict, "accept", s.log);
});

test("global data: .rodata is readable by the program and frozen read-only", async (t) => {
  if (!needKernel(t)) return;
  const sections = [
    {
      name: ".rodata",
      type: SHT.PROGBITS,
      flags: SHF.ALLOC,
      data: Uint8Array.of(0, 0, 0, 0, 42, 0, 0, 0),
      addralign: 4,
    },
  ];
  const symbols = [
    { name: "answer", section: ".rodata", value: 4, size: 4, type: STT.OBJECT, bind: STB.GLOBAL },
  ];
  const relocations = [{ offset: 0, symbol: "answer", type: R_BPF.R_BPF_64_64 }];
  const read = objectFromInsns({
    insns: asm(I(LDDW, 1), I(0), I(LDXW, 0, 1, 0), I(EXIT)),
    sections,
    symbols,
    relocations,
  });
  const r = await kernelRun(read, { target: "iouring-v2" });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.retval, 42);
  const write = objectFromInsns({
    insns: asm(I(LDDW, 1), I(0), I(STW, 1, 0, 0, 1), I(MOV64_IMM, 0), I(EXIT)),
    sections,
    symbols,
    relocations,
  });
  const w = await kernelVerify(write, { target: "iouring-v2" });
  assert.equal(w.verdict, "reject");
  assert.match(w.reason ?? "", /write into map forbidden/);
});

test("clang object: chain.o reaps scripted CQEs, queues WRITEs and emits the total", async (t) => {
  if (!needKernel(t)) return;
  const ctx = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0);
  const script = [
    { userData: 7n, res: 10 },
    { userData: 8n, res: 20 },
    { userData: 9n, res: 5 },
  ];
  const r = await kernelRun(fixture("chain"), { target: "iouring-v2", ctx, cqes: [script] });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.verdict, "accept", r.log);
  assert.equal(r.mode, "strict");
  assert.equal(r.retval, 0);
  let total = 0n;
  const want = script.map((c) => {
    const s = sqe({
      opcode: 23,
      fd: 5,
      off: total,
      len: c.res,
      userData: c.userData + 100n,
      cqIdx: 1,
    });
    total += BigInt(c.res);
    return s;
  });
  assert.deepEqual(r.sqes, want);
  assert.equal(r.reaped, 3);
  assert.deepEqual(r.emitted, [{ cq: 1, userData: 0x0807060504030201n, res: 35, flags: 2 }]);
  const wantCtx = ctx.slice();
  wantCtx[8] = 1; // wait_nr = 1, wait_idx = 0
  assert.deepEqual(r.ctxOut, wantCtx);
  assert.ok(r.processedInsns! > r.programInsns!, "processed count includes the loop and shims");
});

test("clang objects: uninitialised SQE and pointer mixing are strict-only rejections", async (t) => {
  if (!needKernel(t)) return;
  for (const name of ["uninit", "ptrmix"]) {
    const s = await kernelVerify(fixture(name), { target: "iouring-v2", strict: true });
    if (s.verdict === "unavailable") return t.skip(`unavailable: ${s.reason}`);
    assert.equal(s.verdict, "reject", `${name} strict`);
    const l = await kernelVerify(fixture(name), { target: "iouring-v2", strict: false });
    assert.equal(l.verdict, "accept", `${name} lenient: ${l.reason}`);
  }
});

test("queue_sqe with a constant length other than 64 loads and fails with -EINVAL", async (t) => {
  if (!needKernel(t)) return;
  const r = await kernelRun(fixture("badlen"), { target: "iouring-v2" });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.verdict, "accept", r.reason);
  assert.equal(r.retval, -22);
  assert.deepEqual(r.sqes, []);
});

test("clang object: globals.o uses .rodata/.data/.bss and a .text subprogram", async (t) => {
  if (!needKernel(t)) return;
  const r = await kernelRun(fixture("globals"), { target: "iouring-v2" });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.verdict, "accept", r.log);
  // runs: 7 -> 8; pick(8) = table[0] = 11; + table[1] = 22.
  assert.equal(r.sqes.length, 1);
  assert.deepEqual(r.sqes[0], sqe({ opcode: 0, fd: 0, off: 0n, len: 0, userData: 33n }));
  assert.equal(new DataView(r.ctxOut!.buffer).getBigUint64(0, true), 33n);
  assert.deepEqual(
    r.globals[".data"],
    Uint8Array.of(8, 0, 0, 0),
    "runs incremented from its initial 7",
  );
  assert.equal(new DataView(r.globals[".bss"]!.buffer).getBigUint64(0, true), 33n);
  assert.equal(r.globals[".rodata"], undefined, "read-only data is not reported");
});

test("clang object: maps.o uses BTF-defined .maps (hash and array) filled from scripted CQEs", async (t) => {
  if (!needKernel(t)) return;
  const script = [
    { userData: 0x10n, res: 100 },
    { userData: 0x20n, res: -11 },
    { userData: 0x10n, res: 7 },
  ];
  const r = await kernelRun(fixture("maps"), { target: "iouring-v2", cqes: [script] });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.verdict, "accept", r.reason);
  assert.equal(r.reaped, 3);
  assert.equal(new DataView(r.ctxOut!.buffer).getBigUint64(0, true), 3n);
  // Last result per user_data, as the program overwrites.
  const want = new Map<bigint, bigint>();
  for (const c of script) want.set(c.userData, BigInt(c.res));
  const got = new Map(
    r.maps["results"]!.map((e) => [
      new DataView(e.key.buffer).getBigUint64(0, true),
      new DataView(e.value.buffer).getBigInt64(0, true),
    ]),
  );
  assert.deepEqual(got, want);
  assert.equal(new DataView(r.maps["reaped"]![0]!.value.buffer).getBigUint64(0, true), 3n);
});

test("concurrent strict requests share the child and get their own answers", async (t) => {
  if (!needKernel(t)) return;
  const names = ["uninit", "chain", "badlen", "globals", "ptrmix"];
  const results = await Promise.all(
    names.map((n) => kernelVerify(fixture(n), { target: "iouring-v2" })),
  );
  if (results.some((r) => r.verdict === "unavailable"))
    return t.skip(`unavailable: ${results[0]!.reason}`);
  assert.deepEqual(
    results.map((r) => r.verdict),
    ["reject", "accept", "accept", "accept", "reject"],
  );
  assert.ok(results.every((r) => r.mode === "strict"));
});

test("copy_to_user records the destination and size", async (t) => {
  if (!needKernel(t)) return;
  const insns = asm(
    I(STDW, 10, 0, -8, 5),
    I(MOV64_IMM, 1, 0, 0, 0x1234),
    I(MOV64_REG, 2, 10),
    I(ADD64_IMM, 2, 0, 0, -8),
    I(MOV64_IMM, 3, 0, 0, 8),
    I(CALL, 0, 0, 0, 167),
    I(EXIT),
  );
  const r = await kernelRun(objectFromInsns({ insns }), { target: "iouring-v2" });
  if (r.verdict === "unavailable") return t.skip(`unavailable: ${r.reason}`);
  assert.equal(r.verdict, "accept", r.reason);
  assert.equal(r.retval, 0);
  assert.deepEqual(r.copies, [{ uptr: 0x1234n, size: 8 }]);
});
