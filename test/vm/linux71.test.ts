// The linux-7.1 step model (src/vm/linux71.ts, interface 3) on hand-built rings: a loop_step
// program (test/vm/linux71/pump.s, assembled with our assembler) walks the CQ from head to
// tail, emits each CQE, submits NOPs through the SQ region and sets cq_wait_idx; the tests
// drive it step by step over Ring71 objects they build themselves, then through the
// simulated ring (`ioubpf run`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assemble } from "../../src/asm/index.js";
import { writeElf } from "../../src/elf/writer.js";
import {
  createStepper71,
  DEFAULT_GEOMETRY71,
  Fault71,
  geometryRodata,
  regionSizes,
  type Ring71,
  type Stepper71,
} from "../../src/vm/linux71.js";
import { SimRing71 } from "../../src/vm/ring71.js";
import { parseScenario } from "../../src/vm/scenario.js";
import { simulate } from "../../src/vm/simulate.js";
import { formatTrace } from "../../src/vm/trace.js";
import { VmCodes } from "../../src/vm/codes.js";
import { readElf } from "../../src/elf/reader.js";

const PUMP_SRC = readFileSync("test/vm/linux71/pump.s", "utf8");

function objectOf(src: string): Uint8Array {
  const a = assemble(src, "pump.s");
  assert.ok(a.object, JSON.stringify(a.diagnostics));
  return writeElf(a.object);
}
const PUMP = objectOf(PUMP_SRC);

/** A hand-built ring: CQ header + CQEs and the SQE array, recording every submit. */
function handRing(cqEntries = 64, sqEntries = 16) {
  const g = { ...DEFAULT_GEOMETRY71, cqEntries, sqEntries };
  const sizes = regionSizes(g);
  const cq = new Uint8Array(sizes.cq);
  const sq = new Uint8Array(sizes.sq);
  const v = new DataView(cq.buffer);
  const submits: { nr: number; userData: bigint[] }[] = [];
  const ring: Ring71 & {
    head(): number;
    tail(): number;
    setHead(n: number): void;
    post(userData: bigint, res: number): void;
  } = {
    cq,
    sq,
    submit(nr: number) {
      if (nr > sqEntries) return -22;
      const sv = new DataView(sq.buffer);
      submits.push({
        nr,
        userData: Array.from({ length: nr }, (_, i) => sv.getBigUint64(i * 64 + 32, true)),
      });
      return nr;
    },
    head: () => v.getUint32(g.cqHeadOff, true),
    tail: () => v.getUint32(g.cqTailOff, true),
    setHead(n: number) {
      v.setUint32(g.cqHeadOff, n >>> 0, true);
      v.setUint32(g.cqTailOff, n >>> 0, true);
    },
    post(userData: bigint, res: number) {
      const t = v.getUint32(g.cqTailOff, true);
      const at = g.cqesOff + (t & (cqEntries - 1)) * 16;
      v.setBigUint64(at, userData, true);
      v.setInt32(at + 8, res, true);
      v.setUint32(at + 12, 0, true);
      v.setUint32(g.cqTailOff, (t + 1) >>> 0, true);
    },
  };
  return { ring, submits, geometry: g };
}

function stepper(
  ring: Ring71,
  g: typeof DEFAULT_GEOMETRY71,
  values: Record<string, number>,
): Stepper71 {
  const s = createStepper71(PUMP, {
    ring,
    rodata: { ...geometryRodata(g), want: 0, limit: 1000, waitdelta: 1, ...values },
  });
  assert.ok(!("diagnostics" in s), "diagnostics" in s ? JSON.stringify(s.diagnostics) : "");
  return s as Stepper71;
}

test("head/tail walk: every CQE between head and tail is consumed once, head = tail after", () => {
  const { ring, geometry } = handRing();
  const st = stepper(ring, geometry, {});
  for (let i = 0; i < 5; i++) ring.post(BigInt(10 + i), i * 100);
  const r = st.step();
  assert.equal(r.ret, 0);
  assert.equal(ring.head(), 5);
  assert.equal(r.cqWaitIdx, 6, "head + waitdelta");
  const g = st.globals();
  assert.equal(g.count, 5);
  assert.equal(g.total, 0n + 0n + 100n + 200n + 300n + 400n);
  // Nothing new: the next step consumes nothing.
  const r2 = st.step();
  assert.equal(ring.head(), 5);
  assert.equal(st.globals().count, 5);
  assert.equal(r2.cqWaitIdx, 6);
  assert.ok(r.insns > r2.insns, "walking CQEs costs instructions");
});

test("wrap-around: head and tail near 2^32 wrap to small numbers, CQE slots wrap by the mask", () => {
  const { ring, geometry } = handRing(8);
  const st = stepper(ring, geometry, { waitdelta: 3 });
  ring.setHead(0xfffffffe);
  for (let i = 0; i < 6; i++) ring.post(BigInt(i + 1), -i);
  assert.equal(ring.tail(), 4, "tail wrapped");
  const r = st.step();
  assert.equal(ring.head(), 4);
  assert.equal(st.globals().count, 6);
  // No BTF in this object: globals read unsigned; the sum of the (signed) res values is -15.
  assert.equal(
    BigInt.asIntN(64, BigInt(st.globals().total!)),
    BigInt(-(0 + 1 + 2 + 3 + 4 + 5)),
    "res is signed",
  );
  assert.equal(r.cqWaitIdx, 7, "cq_wait_idx = head + 3 (u32)");
  const emits = st.emits();
  assert.deepEqual(
    emits.map((e) => e.userData),
    [1n, 2n, 3n, 4n, 5n, 6n],
    "emitted in CQ order across the wrap",
  );
  assert.deepEqual(
    emits.map((e) => e.res),
    [0, -1, -2, -3, -4, -5],
  );
  assert.deepEqual(st.emits(), [], "emits() drains");
});

test("submit: SQEs 0..nr-1 of the SQ region reach Ring71.submit; too many is the ring's -EINVAL", () => {
  const { ring, submits, geometry } = handRing(64, 16);
  const st = stepper(ring, geometry, { want: 3 });
  st.step();
  assert.deepEqual(submits, [{ nr: 3, userData: [100n, 101n, 102n] }]);
  assert.equal(st.globals().subret, 3);

  // SQ full: the program writes at most iou_sq_entries SQEs but asks to submit 17.
  const h2 = handRing(64, 16);
  const st2 = stepper(h2.ring, h2.geometry, { want: 17 });
  st2.step();
  assert.equal(h2.submits.length, 0);
  assert.equal(st2.globals().subret, 4294967274, "-EINVAL kept in a u32 variable");
});

test("stop: loop_step returns 1 once the count reaches the limit", () => {
  const { ring, geometry } = handRing();
  const st = stepper(ring, geometry, { limit: 3 });
  ring.post(1n, 0);
  assert.equal(st.step().ret, 0);
  ring.post(2n, 0);
  ring.post(3n, 0);
  assert.equal(st.step().ret, 1);
});

test("cq_wait_idx: whatever the program writes, as a u32, persisting across steps", () => {
  const { ring, geometry } = handRing();
  const st = stepper(ring, geometry, { waitdelta: 0xffffffff });
  ring.setHead(10);
  assert.equal(st.step().cqWaitIdx, 9, "head - 1 mod 2^32");
});

test("region sizes: asking for more than the ring has gives NULL (the program stops)", () => {
  const { ring, geometry } = handRing();
  // The program sizes the CQ region from iou_cq_entries; claim 128 entries over a 64-entry ring.
  const st = stepper(ring, geometry, { iou_cq_entries: 128 });
  ring.post(1n, 0);
  const r = st.step();
  assert.equal(r.ret, 1, "fail path: get_region returned NULL");
  assert.equal(ring.head(), 0, "nothing consumed");
});

test("faults: an access outside the region is a Fault71 with an E8001 diagnostic", () => {
  const src = PUMP_SRC.replace("r3 = *(s32 *)(r4 + 8)", "r3 = *(s32 *)(r4 + 2048)");
  const obj = objectOf(src);
  const { ring, geometry } = handRing();
  const st = createStepper71(obj, {
    ring,
    rodata: { ...geometryRodata(geometry), want: 0, limit: 9, waitdelta: 1 },
  });
  assert.ok(!("diagnostics" in st));
  ring.post(1n, 0);
  assert.throws(
    () => (st as Stepper71).step(),
    (e: unknown) =>
      e instanceof Fault71 &&
      e.diagnostic.code === VmCodes.fault &&
      /outside CQ region/.test(e.message),
  );
});

test("kfunc ctx: calling a kfunc with anything but the ctx argument faults", () => {
  const src = PUMP_SRC.replace("\tr1 = r6\n\tr2 = 1\n", "\tr1 = r7\n\tr2 = 1\n");
  const { ring, geometry } = handRing();
  const st = createStepper71(objectOf(src), {
    ring,
    rodata: geometryRodata(geometry),
  }) as Stepper71;
  assert.throws(() => st.step(), /not the ctx argument/);
});

test("bad input: unknown kfunc, unknown rodata name, missing program are diagnostics", () => {
  const { ring } = handRing();
  const bad = createStepper71(objectOf(PUMP_SRC.replace(/bpf_io_uring_submit_sqes/, "bpf_nope")), {
    ring,
    rodata: {},
  });
  assert.ok("diagnostics" in bad && /bpf_nope/.test(bad.diagnostics[0]!.message));
  const r2 = createStepper71(PUMP, { ring, rodata: { no_such: 1 } });
  assert.ok("diagnostics" in r2 && r2.diagnostics[0]!.code === VmCodes.badScenario);
  const r3 = createStepper71(PUMP, { ring, rodata: {}, program: "other" });
  assert.ok("diagnostics" in r3 && r3.diagnostics[0]!.code === VmCodes.noProgram);
  const r4 = createStepper71(new Uint8Array([1, 2, 3]), { ring, rodata: {} });
  assert.ok("diagnostics" in r4 && r4.diagnostics.length > 0);
});

test("SimRing71: posts at tail & mask, overflow waits for room, submit decodes SQEs", () => {
  const r = new SimRing71({ cqEntries: 4, sqEntries: 2 });
  for (let i = 0; i < 6; i++) r.post({ userData: BigInt(i), res: i, flags: 0 });
  assert.equal(r.tail, 4);
  assert.equal(r.overflow.length, 2);
  new DataView(r.cq.buffer).setUint32(8, 3, true); // the program consumed 3
  r.flushOverflow();
  assert.equal(r.tail, 6);
  assert.deepEqual(
    r.pending().map((c) => c.userData),
    [3n, 4n, 5n],
  );
  const got: bigint[] = [];
  r.onSubmit = (s) => got.push(...s.map((x) => x.sqe.userData));
  new DataView(r.sq.buffer).setBigUint64(64 + 32, 77n, true);
  assert.equal(r.submit(2), 2);
  assert.deepEqual(got, [0n, 77n]);
  assert.equal(r.submit(3), -22);
});

test("ioubpf run on linux-7.1: steps, SQEs, CQEs consumed, sleeps, STOP", () => {
  const { object } = readElf(PUMP, "pump.o");
  assert.ok(object);
  const sc = parseScenario(
    "globals: { want: 4, limit: 10, waitdelta: 1 }\ncompletions:\n  - match: { user_data: 0x65 }\n    res: 7\n    after: 2\n",
    "s.yaml",
  );
  assert.deepEqual(sc.diagnostics, []);
  const r = simulate(object, sc.scenario!, { file: "pump.o" });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  const text = formatTrace(r);
  const steps = r.events.filter((e) => e.type === "step");
  const exits = r.events.filter((e) => e.type === "step_exit") as Extract<
    (typeof r.events)[number],
    { type: "step_exit" }
  >[];
  assert.ok(steps.length >= 3, text);
  assert.equal(exits.at(-1)!.ret, 1, "ends with STOP");
  assert.ok(r.events.some((e) => e.type === "stop"));
  assert.ok(r.events.some((e) => e.type === "sleep"));
  // The scripted completion (user_data 0x65, res 7, two steps late) shows up.
  assert.ok(
    r.events.some((e) => e.type === "cqe" && e.cqe.userData === 0x65n && e.cqe.res === 7),
    text,
  );
  assert.match(text, /loop_step call\(s\)/);
  assert.match(text, /CONTINUE .* cq_wait_idx=\d+/);
  assert.equal(r.final?.globals?.subret, "4");
  assert.ok(Number(r.final?.globals?.count) >= 10);
});

test("ioubpf run on linux-7.1: limits.insns stops the loop; limits.events cuts the trace only", () => {
  const { object } = readElf(PUMP, "pump.o");
  const scenarioText =
    "globals: { want: 4, limit: 10, waitdelta: 1 }\ncompletions:\n  - match: { user_data: 0x65 }\n    res: 7\n    after: 2\n";
  const full = simulate(object!, parseScenario(scenarioText, "s.yaml").scenario!);
  assert.ok(full.stats.runs >= 3 && full.stats.insns > 0);
  // Just under the first step's instructions: the second loop_step call is refused.
  const firstStep = full.events.find((e) => e.type === "step_exit") as { insns: number };
  const stopped = simulate(
    object!,
    parseScenario(`${scenarioText}limits: { insns: ${firstStep.insns} }\n`, "s.yaml").scenario!,
  );
  assert.equal(stopped.stats.runs, 1);
  assert.ok(
    stopped.diagnostics.some((d) => d.code === VmCodes.simLimit && /limits\.insns/.test(d.message)),
    JSON.stringify(stopped.diagnostics),
  );
  const cut = simulate(
    object!,
    parseScenario(`${scenarioText}limits: { events: 5 }\n`, "s.yaml").scenario!,
  );
  assert.deepEqual(cut.events, full.events.slice(0, 5));
  assert.deepEqual(cut.stats, full.stats);
  assert.deepEqual(cut.final, full.final);
  assert.ok(
    cut.diagnostics.some((d) =>
      new RegExp(`first 5 events; ${full.events.length - 5} later`).test(d.message),
    ),
    JSON.stringify(cut.diagnostics),
  );
});

test("ioubpf run on linux-7.1: a loop waiting with nothing in flight is an E8022 note", () => {
  const { object } = readElf(PUMP, "pump.o");
  const sc = parseScenario("globals: { want: 0, limit: 10, waitdelta: 1 }\n", "s.yaml");
  const r = simulate(object!, sc.scenario!);
  assert.ok(
    r.diagnostics.some((d) => d.code === VmCodes.stuck),
    JSON.stringify(r.diagnostics),
  );
  assert.equal(r.stats.runs, 1);
});

test("interface 3 over a compiled object: nop-pump keeps 8 NOPs in flight, step by step", async () => {
  const { compile } = await import("../../src/codegen/index.js");
  const path = "examples/nop-pump/nop-pump.bpf.ts";
  const c = compile({ path, text: readFileSync(path, "utf8") }, { target: "linux-7.1" });
  assert.ok(c.bytes, JSON.stringify(c.diagnostics));
  const { ring, submits, geometry } = handRing(64, 16);
  const st = createStepper71(c.bytes, { ring, rodata: geometryRodata(geometry) });
  assert.ok(!("diagnostics" in st), "diagnostics" in st ? JSON.stringify(st.diagnostics) : "");
  const s = st as Stepper71;
  // Step 1: onStart queues 8 NOPs (user_data 0..7) and waits for one completion.
  let r = s.step();
  assert.equal(r.ret, 0);
  assert.deepEqual(submits.at(-1), { nr: 8, userData: [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n] });
  assert.equal(r.cqWaitIdx, ring.head() + 1, "sleep until one more CQE");
  // Complete them all; step 2 consumes 8 CQEs (the walk is bounded by bpf_iter_num) and
  // queues 8 more.
  for (let i = 0; i < 8; i++) ring.post(BigInt(i), 0);
  r = s.step();
  assert.equal(ring.head(), 8);
  assert.equal(submits.at(-1)!.nr, 8);
  assert.equal(submits.at(-1)!.userData[0], 8n);
  assert.equal(s.globals().completed, 8n);
  // A failed NOP: the program emits it and stops.
  ring.post(8n, -125);
  r = s.step();
  assert.equal(r.ret, 1);
  assert.deepEqual(s.emits(), [{ userData: 8n, res: -125, flags: 0 }]);
});
