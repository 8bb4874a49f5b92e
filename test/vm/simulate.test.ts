// The simulated ring and the helpers: programs (assembled with llvm-mc-19) run against
// scenarios, checked against the contracts in abi.md (wait_nr/wait_idx re-runs, -ENOENT on an
// empty CQ with the output zeroed, -EINVAL for a bad CQ index or length, link cancellation).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseScenario, type Scenario } from "../../src/vm/scenario.js";
import { simulate, type SimEvent, type SimResult } from "../../src/vm/simulate.js";
import { formatTrace } from "../../src/vm/trace.js";
import { assemble } from "./llvm-asm.js";

function scenario(yaml: string): Scenario {
  const r = parseScenario(yaml, "s.yaml");
  assert.deepEqual(r.diagnostics, []);
  return r.scenario!;
}

function ofType<T extends SimEvent["type"]>(
  r: SimResult,
  type: T,
): Extract<SimEvent, { type: T }>[] {
  return r.events.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);
}

/** Zeroes the 64-byte SQE at r10-64 (one store per 8 bytes). */
const ZERO_SQE = Array.from({ length: 8 }, (_, i) => `  *(u64 *)(r10 - ${64 - i * 8}) = r2`).join(
  "\n",
);

// Run 1 queues two NOPs (user_data 7) routed to CQ 1 and waits for 2 CQEs there; run 2 reaps
// three times (the third must fail with -ENOENT) and stops waiting.
const WAITER = `
  r6 = r1
  r1 = *(u32 *)(r6 + 8)
  if r1 != 0 goto second
  r2 = 0
${ZERO_SQE}
  r2 = 7
  *(u64 *)(r10 - 32) = r2
  r2 = 1
  *(u16 *)(r10 - 16) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  r7 = r0
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  r7 += r0
  r1 = 2
  *(u32 *)(r6 + 8) = r1
  r1 = 1
  *(u32 *)(r6 + 12) = r1
  r0 = 0
  exit
second:
  r8 = 3
loop:
  r1 = r6
  r2 = 1
  r3 = r10
  r3 += -16
  r4 = 16
  call 166
  r8 += -1
  if r8 != 0 goto loop
  r1 = 0
  *(u32 *)(r6 + 8) = r1
  r0 = *(u64 *)(r10 - 8)
  exit
`;

test("iouring-v2: a run with wait_nr != 0 re-runs once CQ wait_idx holds wait_nr CQEs", () => {
  const r = simulate(
    assemble(WAITER),
    scenario(`
user_data: 0x99
ring: { cq_entries: [64, 8] }
completions:
  - match: { user_data: 7 }
    res: 42
    after: 3
    times: 1
`),
  );
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const runs = ofType(r, "run");
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.ctx, { userData: 0x99n, waitNr: 2, waitIdx: 1 });
  // The rerun happens at step 3, when the scripted completion (after: 3) makes CQ 1 hold 2.
  assert.equal(runs[1]!.step, 3);
  const reaps = ofType(r, "reap");
  assert.deepEqual(
    reaps.map((x) => x.ret),
    [0, 0, -2],
  );
  // First submitted NOP matched the rule (res 42, step 3); the second took the default (0, step 1).
  assert.deepEqual(
    reaps.map((x) => x.cqe?.res),
    [0, 42, undefined],
  );
  // The failed reap zeroed the output: the last 8 bytes of the CQE buffer (res and flags) read 0.
  const exits = ofType(r, "exit");
  assert.equal(exits[1]!.r0, 0n);
  assert.deepEqual(exits[0]!.ctxWrites, { wait_nr: [0, 2], wait_idx: [0, 1] });
  // The BPF request completes on CQ 0 with res 0 and its own user_data.
  assert.deepEqual(r.final!.cqs[0]!.cqes, [{ userData: 0x99n, res: 0, flags: 0 }]);
  assert.equal(r.final!.cqs[1]!.cqes.length, 0);
  assert.equal(r.stats.runs, 2);
  assert.match(formatTrace(r), /reap_cqe CQ1 -> -2/);
});

test("iouring-v2: a request that can never be satisfied is reported, not looped on", () => {
  const r = simulate(
    assemble(WAITER),
    scenario(`
ring: { cq_entries: [64, 8] }
completions:
  - match: { opcode: NOP }
    res: 0
    flags: 0
    after: 1
    times: 1
  - match: { opcode: NOP }
    error: EIO
    after: 2
`),
  );
  // Both NOPs complete (one with -EIO): CQ 1 holds 2, so the rerun happens anyway.
  assert.equal(ofType(r, "run").length, 2);
  assert.deepEqual(
    ofType(r, "reap").map((x) => x.cqe?.res),
    [0, -5, undefined],
  );

  // Waiting for 5 CQEs on an empty CQ 0 with nothing in flight: reported as stuck (E8022).
  const stuck = simulate(
    assemble(`  r2 = 5\n  *(u32 *)(r1 + 8) = r2\n  r0 = 0\n  exit`),
    scenario(`{}`),
  );
  assert.equal(ofType(stuck, "run").length, 1);
  assert.deepEqual(
    stuck.diagnostics.map((d) => [d.code, d.severity]),
    [["E8022", "note"]],
  );
});

test("iouring-v2: wait_idx naming no CQ completes the request with -EINVAL", () => {
  const r = simulate(
    assemble(`
  r2 = 1
  *(u32 *)(r1 + 8) = r2
  r2 = 5
  *(u32 *)(r1 + 12) = r2
  r0 = 0
  exit`),
    scenario(`user_data: 3`),
  );
  assert.deepEqual(r.final!.cqs[0]!.cqes, [{ userData: 3n, res: -22, flags: 0 }]);
});

test("helper contracts: emit_cqe bad index, reap bad length, queue_sqe bad length", () => {
  const r = simulate(
    assemble(`
  r6 = r1
  r1 = r6
  r2 = 1
  r3 = 0x55
  r4 = -7
  r5 = 2
  call 165
  *(u64 *)(r10 - 24) = r0
  r1 = r6
  r2 = 9
  r3 = 1
  r4 = 0
  r5 = 0
  call 165
  r1 = -1
  *(u64 *)(r10 - 16) = r1
  *(u64 *)(r10 - 8) = r1
  r1 = r6
  r2 = 0
  r3 = r10
  r3 += -16
  r4 = 8
  call 166
  r7 = *(u64 *)(r10 - 16)
  r1 = r6
  r2 = r10
  r2 += -16
  r3 = 32
  call 164
  r0 = 0
  exit`),
    scenario(`ring: { cq_entries: [8, 8] }`),
  );
  assert.deepEqual(
    ofType(r, "emit").map((e) => e.ret),
    [0, -22],
  );
  assert.deepEqual(r.final!.cqs[1]!.cqes, [{ userData: 0x55n, res: -7, flags: 2 }]);
  assert.deepEqual(
    ofType(r, "reap").map((e) => e.ret),
    [-22],
  );
  assert.deepEqual(
    ofType(r, "queue_sqe").map((e) => e.ret),
    [-22],
  );
  assert.equal(r.stats.sqes, 1, "the bad-length SQE is not submitted");
});

test("iouring-v1: helper 163 queues (returns 0), single run, opaque context faults", () => {
  const ok = simulate(
    assemble(`
  r6 = r1
  r2 = 0
${ZERO_SQE}
  r2 = 22
  *(u8 *)(r10 - 64) = r2
  r2 = 100
  *(u32 *)(r10 - 40) = r2
  r2 = 0xabc
  *(u64 *)(r10 - 32) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 163
  exit`),
    scenario(`target: iouring-v1\nuser_data: 1`),
  );
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(
    ofType(ok, "queue_sqe").map((e) => e.ret),
    [0],
  );
  const sub = ofType(ok, "submit");
  assert.equal(sub[1]!.sqe.opName, "READ");
  // READ defaults to its len (a full read).
  assert.deepEqual(ok.final!.cqs[0]!.cqes, [
    { userData: 1n, res: 0, flags: 0 },
    { userData: 0xabcn, res: 100, flags: 0 },
  ]);
  assert.equal(ok.stats.runs, 1);

  const bad = simulate(assemble(`  r0 = *(u32 *)(r1 + 8)\n  exit`), scenario(`target: iouring-v1`));
  assert.equal(bad.diagnostics[0]?.code, "E8001");
  assert.match(bad.diagnostics[0]!.message, /pc 0.*ctx/);
});

test("links: a failed linked request cancels the rest of its chain", () => {
  const r = simulate(
    assemble(`  r0 = 0\n  exit`),
    scenario(`
submit:
  - { opcode: READ, len: 10, user_data: 1, flags: [link] }
  - { opcode: WRITE, len: 10, user_data: 2, flags: [link] }
  - { opcode: NOP, user_data: 3 }
  - { opcode: NOP, user_data: 4 }
completions:
  - match: { user_data: 1 }
    error: EIO
`),
  );
  assert.deepEqual(
    r.final!.cqs[0]!.cqes.map((c) => [c.userData, c.res]),
    [
      [1n, -5],
      [2n, -125],
      [3n, -125],
      [4n, 0],
    ],
  );
});

test("maps (scenario-defined), trace_printk, ktime, prandom and user memory", () => {
  const r = simulate(
    assemble(`
  .section "iouring.s/prog","ax",@progbits
  .globl prog
prog:
  r6 = r1
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r1 = counters ll
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto out
  r1 = *(u64 *)(r0 + 0)
  r1 += 5
  *(u64 *)(r0 + 0) = r1
  r1 = fmt ll
  r2 = 16
  r3 = -1
  r4 = -1
  r5 = -1
  call 6
  call 5
  r7 = r0
  call 5
  r0 -= r7
  *(u64 *)(r10 - 16) = r0
  r1 = 0x1000 ll
  r2 = r10
  r2 += -16
  r3 = 8
  call 167
  r1 = r10
  r1 += -24
  r2 = 8
  r3 = 0x2000 ll
  call 148
  r8 = r0
  r1 = counters ll
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -24
  r4 = 0
  call 2
out:
  r0 = 0
  exit
  .section .rodata,"a"
fmt:
  .asciz "x=%d u=%u h=%lx"
  .section .maps,"aw"
  .globl counters
counters:
  .zero 32
`),
    scenario(`
maps:
  counters: { type: array, key_size: 4, value_size: 8, max_entries: 2, entries: { "0": "0100000000000000" } }
user_memory:
  - { addr: 0x1000, size: 8 }
  - { addr: 0x2000, data: "1122334455667788" }
clock: { start: 100, step: 250 }
`),
  );
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    ofType(r, "printk").map((e) => e.text),
    ["x=-1 u=4294967295 h=ffffffffffffffff"],
  );
  // Element 0 was 1, +5 = 6; element 0 then overwritten with the bytes copied from user memory.
  assert.deepEqual(r.final!.maps.counters, { "00000000": "1122334455667788" });
  // copy_to_user wrote the clock difference (one step, 250) at 0x1000.
  assert.equal(r.final!.userMemory[0]!.data, "fa00000000000000");
  assert.deepEqual(
    ofType(r, "copy_from_user").map((e) => e.ret),
    [0],
  );
  assert.deepEqual(
    ofType(r, "copy_to_user").map((e) => e.ret),
    [0],
  );
});

test("copy_from_user from unmapped memory fails with -EFAULT and zeroes the destination", () => {
  const r = simulate(
    assemble(`
  r1 = -1
  *(u64 *)(r10 - 8) = r1
  r1 = r10
  r1 += -8
  r2 = 8
  r3 = 0x9000 ll
  call 148
  r0 = *(u64 *)(r10 - 8)
  exit`),
    scenario(`user_memory: [{ addr: 0x1000, size: 16 }]`),
  );
  assert.deepEqual(
    ofType(r, "copy_from_user").map((e) => e.ret),
    [-14],
  );
  assert.equal(ofType(r, "exit")[0]!.r0, 0n);
  // The program sits in .text, not a sleepable iouring.s/ section: the VM runs the helper but warns.
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity]),
    [["E8023", "warning"]],
  );
});

test("a program fault stops the simulation with E8001 and the pc", () => {
  const r = simulate(assemble(`  r0 = 0\n  r1 = *(u64 *)(r10 + 8)\n  exit`), scenario(`{}`));
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]!.code, "E8001");
  assert.match(r.diagnostics[0]!.message, /pc 1: invalid memory access/);
  assert.deepEqual(
    ofType(r, "fault").map((e) => e.pc),
    [1],
  );
});

/** A program that always re-arms itself (wait_nr = 1): it runs on every CQE it posts. */
const rearm = () =>
  assemble(`
  r2 = 1
  *(u32 *)(r1 + 8) = r2
  r0 = 0
  exit`);

test("run limits: a program that always re-arms itself stops at limits.runs", () => {
  const r = simulate(
    rearm(),
    scenario(`limits: { runs: 5 }\ncqes: [{ cq: 0, user_data: 1, res: 0 }]`),
  );
  assert.equal(r.stats.runs, 5);
  assert.equal(r.diagnostics[0]!.code, "E8020");
});

test("run limits: limits.insns bounds the whole simulation's instructions", () => {
  const r = simulate(
    rearm(),
    scenario(`limits: { insns: 10 }\ncqes: [{ cq: 0, user_data: 1, res: 0 }]`),
  );
  // 4 instructions per run: the third run starts at 8 < 10, the fourth is refused at 12.
  assert.equal(r.stats.runs, 3);
  assert.equal(r.stats.insns, 12);
  assert.equal(r.diagnostics[0]!.code, "E8020");
  assert.match(r.diagnostics[0]!.message, /limits\.insns/);
});

test("run limits: the trace keeps limits.events events and counts the rest", () => {
  const program = rearm();
  const full = simulate(
    program,
    scenario(`limits: { runs: 5 }\ncqes: [{ cq: 0, user_data: 1, res: 0 }]`),
  );
  const cut = simulate(
    program,
    scenario(`limits: { runs: 5, events: 3 }\ncqes: [{ cq: 0, user_data: 1, res: 0 }]`),
  );
  assert.ok(full.events.length > 3);
  assert.deepEqual(cut.events, full.events.slice(0, 3));
  assert.deepEqual(cut.stats, full.stats, "the simulation itself is not changed");
  const note = cut.diagnostics.find((d) => /limits\.events/.test(d.message));
  assert.ok(note, JSON.stringify(cut.diagnostics));
  assert.match(note.message, new RegExp(`${full.events.length - 3} later event`));
});

test("a program can start another program of the table with an IORING_OP_BPF SQE", () => {
  const r = simulate(
    assemble(`
  .section "iouring.s/a","ax",@progbits
  .globl a
  .type a,@function
a:
  r6 = r1
  r2 = 0
${ZERO_SQE}
  r2 = 37
  *(u8 *)(r10 - 64) = r2
  r2 = 1
  *(u64 *)(r10 - 56) = r2
  r2 = 5
  *(u64 *)(r10 - 32) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  r2 = 0
  *(u64 *)(r10 - 64) = r2
  r2 = 37
  *(u8 *)(r10 - 64) = r2
  r2 = 1
  *(u64 *)(r10 - 56) = r2
  r2 = 6
  *(u64 *)(r10 - 32) = r2
  r2 = 8
  *(u32 *)(r10 - 40) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  r0 = 0
  exit
  .section "iouring/b","ax",@progbits
  .globl b
  .type b,@function
b:
  r2 = 0
  r3 = *(u64 *)(r1 + 0)
  r3 += 72
  r4 = 9
  r5 = 0
  call 165
  r0 = 0
  exit
`),
    scenario(`user_data: 1\ndefaults: { after: 0 }`),
  );
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    ofType(r, "run").map((e) => [e.program, e.seq]),
    [
      ["a", 0],
      ["b", 1],
    ],
  );
  assert.deepEqual(
    r.final!.cqs[0]!.cqes.map((c) => [c.userData, c.res]),
    [
      // a's queued SQEs are submitted when its run returns: the second (len != 0) is refused
      // at once (abi.md), then a's own request completes; b runs next.
      [6n, -22],
      [1n, 0],
      [77n, 9], // b emitted user_data 5 + 72
      [5n, 0], // b's request completes
    ],
  );
});
