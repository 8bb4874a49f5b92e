// The oracle's shims must not make the kernel reject what an io_uring kernel accepts (issue 16):
// no shim stack on top of the program's 512-byte frame, no undecidable branch per call (the
// 8,192-jump limit), and a rejection's complaint is the cause, not the statistics lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelVerify, objectFromInsns, rejectionReason } from "../../src/kernel/oracle.js";
import { verifyObject } from "../../src/verifier/index.js";
import {
  asm,
  CALL,
  EXIT,
  I,
  MOV64_IMM,
  MOV64_REG,
  ADD64_IMM,
  needKernel,
  STDW,
} from "./helpers.js";
import type { Slot } from "../../src/kernel/slots.js";

const QUEUE_SQE_V2 = 164;

/** r6 = ctx; a zeroed SQE at fp+sqeAt; `calls` × queue_sqe(ctx, fp+sqeAt, 64); r0 = 0; exit. */
function submits(calls: number, sqeAt: number, touch?: number): Uint8Array {
  const s: Slot[] = [I(MOV64_REG, 6, 1)];
  for (let o = 0; o < 64; o += 8) s.push(I(STDW, 10, 0, sqeAt + o, 0));
  if (touch !== undefined) s.push(I(STDW, 10, 0, touch, 0));
  for (let i = 0; i < calls; i++)
    s.push(
      I(MOV64_REG, 1, 6),
      I(MOV64_REG, 2, 10),
      I(ADD64_IMM, 2, 0, 0, sqeAt),
      I(MOV64_IMM, 3, 0, 0, 64),
      I(CALL, 0, 0, 0, QUEUE_SQE_V2),
    );
  s.push(I(MOV64_IMM, 0, 0, 0, 0), I(EXIT));
  return asm(...s);
}

test("a program using all 512 bytes of stack may call queue_sqe (the shim has no stack)", async (t) => {
  const obj = objectFromInsns({ insns: submits(1, -512, -8) });
  assert.equal(verifyObject(obj, { target: "iouring-v2" }).ok, true);
  if (!needKernel(t)) return;
  for (const strict of [false, true]) {
    const k = await kernelVerify(obj, { target: "iouring-v2", strict });
    if (k.verdict === "unavailable") continue;
    assert.equal(k.verdict, "accept", `${strict ? "strict" : "lenient"}: ${k.reason}`);
  }
});

test("4,200 queue_sqe calls on one path stay below the kernel's 8,192-jump limit", async (t) => {
  const obj = objectFromInsns({ insns: submits(4200, -64) });
  const ours = verifyObject(obj, { target: "iouring-v2" });
  assert.equal(ours.ok, true, ours.diagnostics[0]?.message);
  if (!needKernel(t)) return;
  const k = await kernelVerify(obj, { target: "iouring-v2", strict: false });
  assert.equal(k.verdict, "accept", k.reason);
  // every call is walked once: the shim adds a fixed number of instructions per call
  const per = ((k.processedInsns ?? 0) - 4200 * 5) / 4200;
  assert.ok(per > 0 && per < 40, `${per} processed shim instructions per call`);
});

test("the complaint is the cause, not the statistics lines that follow it", () => {
  const log = [
    "0: (b7) r0 = 0",
    "1: (95) exit",
    "R0 !read_ok",
    "verification time 12 usec",
    "stack depth 0+0",
    "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
  ].join("\n");
  assert.match(rejectionReason(log), /^R0 !read_ok/);
  // a truncated (rotated) log kept ahead of a statistics-only retry
  const retried =
    "R1 invalid mem access 'scalar'\nverification time 5 usec\nstack depth 0+0\nprocessed 9 insns (limit 1000000)";
  assert.match(rejectionReason(retried), /^R1 invalid mem access/);
});
