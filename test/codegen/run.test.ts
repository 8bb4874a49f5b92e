// Objects executed on the real kernel (the oracle's BPF_PROG_TEST_RUN) with scripted CQEs:
// the SQEs queued, the CQEs emitted and the context written back are asserted against values
// computed here from the SQE layout table, not copied from our output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelRun } from "../../src/kernel/index.js";
import { contextField, getTarget } from "../../src/targets/targets.js";
import { compile } from "../../src/codegen/index.js";
import {
  ROOT,
  compileFile,
  ctxBytes,
  expectedSqe,
  mustCompile,
  needKernel,
  setGlobal,
} from "./helpers.js";

const V2 = getTarget("iouring-v2");
const WAIT_NR = contextField(V2, "wait_nr")!;
const WAIT_IDX = contextField(V2, "wait_idx")!;
const ctxU32 = (b: Uint8Array, off: number): number =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

test("examples/copy: READ at 0, WRITE of N at 0, READ at N, … until SIZE, then stop", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/copy/v2/copy.bpf.ts")));
  const IN = 3,
    OUT = 4,
    BUF = 0x7000_0000_1000n,
    SIZE = 100n,
    BLOCK = 16 * 1024;
  setGlobal(obj, "IN_FD", BigInt(IN), 4);
  setGlobal(obj, "OUT_FD", BigInt(OUT), 4);
  setGlobal(obj, "BUF", BUF, 8);
  setGlobal(obj, "SIZE", SIZE, 8);
  const Read = 1n,
    Write = 2n;
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
  const obj = mustCompile(compileFile(join(ROOT, "examples/copy/v2/copy.bpf.ts")));
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
  const obj = mustCompile(compileFile(join(ROOT, "examples/nop-pump/v2/nop-pump.bpf.ts")));
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [[], [{ userData: 0n, res: 0 }]],
  });
  assert.equal(r.verdict, "accept", r.reason);
  const want = [...Array(9).keys()].map((i) => expectedSqe("NOP", { userData: BigInt(i) }));
  assert.deepEqual(r.sqes.map(hex), want.map(hex), "8 from onStart, one more after the completion");
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 1, "waits for one more CQE");
  assert.equal(ctxU32(r.ctxOut!, WAIT_IDX.offset), 1, "on the same CQ");
});

test("examples/ticker: the timeout SQE carries cq 1 and re-arms per tick", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/ticker/v2/ticker.bpf.ts")));
  setGlobal(obj, "PERIOD_TS", 0x5000n, 8);
  setGlobal(obj, "TICKS", 3n, 8);
  const ETIME = -62;
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [
      [],
      [
        { userData: 0n, res: ETIME },
        { userData: 1n, res: ETIME },
        { userData: 2n, res: ETIME },
      ],
    ],
  });
  assert.equal(r.verdict, "accept", r.reason);
  assert.ok(r.sqes.length >= 1);
  const first = expectedSqe("TIMEOUT", { addr: 0x5000n, cq: 1, userData: 0n, len: 1 });
  // len is what the op fixes (one timespec); compare everything else field by field.
  assert.equal(r.sqes[0]![0], first[0], "opcode");
  assert.equal(hex(r.sqes[0]!.subarray(16, 24)), hex(first.subarray(16, 24)), "addr");
  assert.equal(hex(r.sqes[0]!.subarray(48, 50)), hex(first.subarray(48, 50)), "cq");
  // The whole sequence: one TIMEOUT per tick with the tick count as userData, one CQE per
  // tick, and the third tick (TICKS) stops.
  const timeout = (ud: bigint): Uint8Array =>
    expectedSqe("TIMEOUT", { addr: 0x5000n, cq: 1, userData: ud, len: 1 });
  assert.deepEqual(
    r.sqes.map(hex),
    [0n, 1n, 2n].map((u) => hex(timeout(u))),
  );
  assert.deepEqual(
    r.emitted,
    [1n, 2n, 3n].map((u) => ({ cq: 0, userData: u, res: 0, flags: 0 })),
  );
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0, "stopped after TICKS");
});

test("examples/ping-pong: ping serves to CQ 2 and returns balls", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/ping-pong/v2/ping.bpf.ts")));
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [
      [],
      [
        { userData: 5n, res: 0 },
        { userData: 99n, res: 0 },
      ],
    ],
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

test("examples/echo: ACCEPT → RECV on the accepted fd → SEND of res bytes → RECV … → CLOSE, then stop", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/echo/v2/echo.bpf.ts")));
  const LISTEN = 5,
    BUF = 0x10000n,
    LEN = 64,
    CONN = 7;
  setGlobal(obj, "LISTEN_FD", BigInt(LISTEN), 4);
  setGlobal(obj, "BUF", BUF, 8);
  setGlobal(obj, "BUF_LEN", BigInt(LEN), 4);
  setGlobal(obj, "MAX_CONNS", 1n, 8);
  const Accept = 1n,
    Recv = 2n,
    Send = 3n,
    Close = 4n;
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [
      [],
      [
        { userData: Accept, res: CONN },
        { userData: Recv, res: 10 },
        { userData: Send, res: 10 },
        { userData: Recv, res: 0 }, // the peer closed
        { userData: Close, res: 0 },
        { userData: Accept, res: 8 }, // never reaped: MAX_CONNS reached
      ],
    ],
  });
  assert.equal(r.verdict, "accept", r.reason);
  const recv = expectedSqe("RECV", { fd: CONN, addr: BUF, len: LEN, userData: Recv });
  const want = [
    expectedSqe("ACCEPT", { fd: LISTEN, acceptFlags: 0x80000, userData: Accept }),
    recv,
    expectedSqe("SEND", { fd: CONN, addr: BUF, len: 10, msgFlags: 0x4000, userData: Send }),
    recv,
    expectedSqe("CLOSE", { fd: CONN, userData: Close }),
  ];
  assert.deepEqual(r.sqes.map(hex), want.map(hex));
  assert.deepEqual(
    r.emitted,
    [{ cq: 0, userData: 10n, res: 1, flags: 0 }],
    "one CQE per connection: bytes echoed, served",
  );
  assert.equal(r.reaped, 5);
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0, "stopped");
});

test("examples/open-read-close: OPENAT → READ with the opened fd → CLOSE of it, then the result", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/open-read-close/v2/orc.bpf.ts")));
  const PATH = 0x30000n,
    BUF = 0x10000n,
    LEN = 64,
    FD = 9;
  setGlobal(obj, "PATH", PATH, 8);
  setGlobal(obj, "BUF", BUF, 8);
  setGlobal(obj, "BUF_LEN", BigInt(LEN), 4);
  const Open = 1n,
    Read = 2n,
    Close = 3n;
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [
      [],
      [
        { userData: Open, res: FD },
        { userData: Read, res: 42 },
        { userData: Close, res: 0 },
      ],
    ],
  });
  assert.equal(r.verdict, "accept", r.reason);
  const want = [
    expectedSqe("OPENAT", { fd: -100, addr: PATH, openFlags: 0x80000, userData: Open }),
    expectedSqe("READ", { fd: FD, addr: BUF, len: LEN, off: 0, userData: Read }),
    expectedSqe("CLOSE", { fd: FD, userData: Close }),
  ];
  assert.deepEqual(r.sqes.map(hex), want.map(hex));
  assert.deepEqual(r.emitted, [{ cq: 0, userData: Read, res: 42, flags: 0 }]);
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0, "stopped");

  // An open error is reported and stops, with nothing more queued.
  const obj2 = mustCompile(compileFile(join(ROOT, "examples/open-read-close/v2/orc.bpf.ts")));
  const e = await kernelRun(obj2, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [[], [{ userData: Open, res: -2 }]],
  });
  assert.equal(e.verdict, "accept", e.reason);
  assert.equal(e.sqes.length, 1);
  assert.deepEqual(e.emitted, [{ cq: 0, userData: Open, res: -2, flags: 0 }]);
  assert.equal(ctxU32(e.ctxOut!, WAIT_NR.offset), 0);
});

test("examples/ping-pong: pong returns each ball to CQ 1 with one more hit, and stops on -1", async (t) => {
  if (!needKernel(t)) return;
  const obj = mustCompile(compileFile(join(ROOT, "examples/ping-pong/v2/pong.bpf.ts")));
  const r = await kernelRun(obj, {
    target: "iouring-v2",
    strict: false, // trace_printk needs CAP_PERFMON
    ctx: ctxBytes(0, 2),
    cqes: [
      [],
      [],
      [
        { userData: 5n, res: 0 },
        { userData: 7n, res: 0 },
        { userData: 8n, res: -1 },
        { userData: 1n, res: 0 },
      ],
    ],
  });
  assert.equal(r.verdict, "accept", r.reason);
  assert.deepEqual(r.sqes, []);
  assert.deepEqual(r.emitted, [
    { cq: 1, userData: 6n, res: 0, flags: 0 },
    { cq: 1, userData: 8n, res: 0, flags: 0 },
  ]);
  assert.equal(r.reaped, 3, "the CQE after the stop is left");
  assert.equal(ctxU32(r.ctxOut!, WAIT_NR.offset), 0);
});

test("two programs in one object: each reaches its own globals (section-relative addressing)", async (t) => {
  if (!needKernel(t)) return;
  const src = (init: number): string =>
    `import { Cqe, emit, u64 } from "ioubpf/lang";\nlet n: u64 = ${init};\nlet m: u64 = ${init * 2};\n` +
    `export function onCompletion(cqe: Cqe): void { n++; m += n; emit({ userData: n + cqe.userData, res: i32m() }); }\n` +
    `function i32m(): i32 { return i32(m); }\n`;
  const text = (init: number): string => src(init).replace("u64 }", "u64, i32 }");
  const r = compile(
    [
      { path: "a.bpf.ts", text: text(100) },
      { path: "b.bpf.ts", text: text(7) },
    ],
    { target: "iouring-v2" },
  );
  const obj = mustCompile(r);
  // b's globals are not at the start of .data: a's come first.
  const bn = obj.symbols.find((s) => s.name === "b_n")!;
  assert.ok(bn.value > 0, `b_n at ${bn.value}`);
  for (const [prog, init] of [
    ["a", 100n],
    ["b", 7n],
  ] as const) {
    const run = await kernelRun(obj, {
      target: "iouring-v2",
      program: prog,
      ctx: ctxBytes(0, 1),
      cqes: [
        [],
        [
          { userData: 1000n, res: 0 },
          { userData: 2000n, res: 0 },
        ],
      ],
    });
    assert.equal(run.verdict, "accept", `${prog}: ${run.reason}`);
    const n1 = init + 1n;
    const n2 = init + 2n;
    assert.deepEqual(
      run.emitted.map((e) => [e.userData, e.res]),
      [
        [n1 + 1000n, Number(init * 2n + n1)],
        [n2 + 2000n, Number(init * 2n + n1 + n2)],
      ],
      prog,
    );
  }
});
