// Lowering semantics, executed on the kernel's JIT: each program computes values from a CQE
// (so nothing folds at compile time) and emits them; expected values are computed here in
// TypeScript with BigInt. Every program runs for each --mcpu (v1–v4) and -O0/-O2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelRun, type EmittedCqe, type ScriptedCqe } from "../../src/kernel/index.js";
import { compileText, ctxBytes, mustCompile, needKernel } from "./helpers.js";

const HEADER = `import { Cqe, emit, stop, submit, ktime, random, ArrayMap, HashMap, bool, u8, u16, u32, u64, i8, i16, i32, i64 } from "ioubpf/lang";\n`;

async function runAll(
  t: import("node:test").TestContext,
  body: string,
  cqes: ScriptedCqe[],
  strict = true,
  reapBatch?: number,
): Promise<EmittedCqe[] | undefined> {
  if (!needKernel(t)) return undefined;
  let first: EmittedCqe[] | undefined;
  for (const mcpu of ["v1", "v2", "v3", "v4"]) {
    for (const opt of [0, 2] as const) {
      const r = compileText(HEADER + body, { mcpu, opt, ...(reapBatch ? { reapBatch } : {}) });
      const obj = mustCompile(r);
      const k = await kernelRun(obj, {
        target: "iouring-v2",
        ctx: ctxBytes(0, 1),
        cqes: [[], cqes],
        maxEmits: 64,
        strict,
      });
      assert.equal(
        k.verdict,
        "accept",
        `mcpu ${mcpu} -O${opt}: ${k.reason}\n${k.log.split("\n").slice(-20).join("\n")}`,
      );
      if (first === undefined) first = k.emitted;
      else assert.deepEqual(k.emitted, first, `mcpu ${mcpu} -O${opt} differs from v1 -O0`);
    }
  }
  return first;
}

const s32 = (x: bigint): number => Number(BigInt.asIntN(32, x));

test("sign and zero extension of every integer type", async (t) => {
  const body = `
export function onCompletion(cqe: Cqe): void {
  const a: u8 = u8(cqe.userData);        // truncation
  const b: i8 = i8(cqe.userData);        // truncation + sign
  const c: u16 = u16(cqe.userData);
  const d: i16 = i16(cqe.userData);
  const e: u32 = u32(cqe.res);           // i32 -> u32: zero extension to 64 when widened
  const f: i64 = i64(cqe.res);           // sign extension on widening
  emit({ userData: u64(a), res: 0 });
  emit({ userData: u64(b), res: i32(b) });
  emit({ userData: u64(c), res: 0 });
  emit({ userData: u64(d), res: i32(d) });
  emit({ userData: u64(e), res: 0 });
  emit({ userData: u64(f), res: i32(f >> 1) });
  const g: u8 = a + 200;                 // wraps at 8 bits
  const h: i8 = b - 100;                 // wraps and stays signed
  emit({ userData: u64(g), res: i32(h) });
}`;
  const ud = 0x1234_5678_9abc_def0n;
  const res = -3;
  const got = await runAll(t, body, [{ userData: ud, res }]);
  if (!got) return;
  const u = (bits: number, x: bigint): bigint => BigInt.asUintN(bits, x);
  const i = (bits: number, x: bigint): bigint => BigInt.asIntN(bits, x);
  const a = u(8, ud),
    b = i(8, ud),
    c = u(16, ud),
    d = i(16, ud),
    e = u(32, BigInt(res)),
    f = BigInt(res);
  const want = [
    [a, 0],
    [u(64, b), s32(b)],
    [c, 0],
    [u(64, d), s32(d)],
    [e, 0],
    [u(64, f), s32(f >> 1n)],
    [u(8, a + 200n), s32(i(8, b - 100n))],
  ];
  assert.deepEqual(
    got.map((x) => [x.userData, x.res]),
    want,
  );
});

test("32-bit arithmetic wraps; signed/unsigned comparison, shifts and division", async (t) => {
  const body = `
export function onCompletion(cqe: Cqe): void {
  const x: u32 = u32(cqe.userData);
  const y: u32 = u32(cqe.userData >> 32);
  const s: i32 = cqe.res;
  emit({ userData: u64(x + y), res: 0 });
  emit({ userData: u64(x * y), res: 0 });
  emit({ userData: u64(x - y), res: i32(s * 3) });
  emit({ userData: u64(x / 7), res: i32(x % 7) });
  emit({ userData: u64(x >> 3), res: s >> 1 });
  emit({ userData: u64(u32(s) >>> 4), res: i32(u32(s) >>> 28) });
  emit({ userData: u64(~x), res: -s });
  const lt: bool = s < 0;
  const ult: bool = u32(s) < 5;
  emit({ userData: lt ? u64(1) : 0, res: ult ? i32(1) : 0 });
  let m: u64 = cqe.userData;
  m <<= 4;
  m ^= 0xff;
  emit({ userData: m, res: 0 });
}`;
  const ud = 0x0000_0009_ffff_fff0n;
  const res = -7;
  const got = await runAll(t, body, [{ userData: ud, res }]);
  if (!got) return;
  const U = (x: bigint): bigint => BigInt.asUintN(32, x);
  const x = U(ud),
    y = U(ud >> 32n),
    s = BigInt(res);
  const want: [bigint, number][] = [
    [U(x + y), 0],
    [U(x * y), 0],
    [U(x - y), s32(s * 3n)],
    [x / 7n, Number(x % 7n)],
    [x >> 3n, s32(s >> 1n)],
    [U(s) >> 4n, Number(U(s) >> 28n)],
    [U(~x), s32(-s)],
    [1n, 0],
    [BigInt.asUintN(64, (ud << 4n) ^ 0xffn), 0],
  ];
  assert.deepEqual(
    got.map((e) => [e.userData, e.res]),
    want,
  );
});

test("short-circuit && || ?: evaluate only what they must", async (t) => {
  const body = `
let calls: u64 = 0;
function touch(v: bool): bool { calls++; return v; }
export function onCompletion(cqe: Cqe): void {
  const z = cqe.res == 0;
  calls = 0;
  const a = z && touch(true);      // z false: touch not called
  const b = z || touch(false);     // called once
  const c = !z ? touch(true) : touch(false); // one call
  if (touch(false) && touch(true)) emit({ userData: 99, res: 0 }); // one call
  emit({ userData: calls, res: (a ? i32(1) : 0) + (b ? i32(2) : 0) + (c ? i32(4) : 0) });
}`;
  const got = await runAll(t, body, [{ userData: 0n, res: 1 }]);
  if (!got) return;
  assert.deepEqual(
    got.map((e) => [e.userData, e.res]),
    [[3n, 4]],
  );
});

test("switch: fall-through, default in the middle, break", async (t) => {
  const body = `
export function onCompletion(cqe: Cqe): void {
  let acc: u64 = 0;
  switch (cqe.userData) {
    case 1:
      acc += 1;
    case 2:
      acc += 10;
      break;
    default:
      acc += 100;
    case 3:
      acc += 1000;
      break;
    case 4:
      acc += 5;
  }
  emit({ userData: acc, res: i32(cqe.userData) });
}`;
  const got = await runAll(
    t,
    body,
    [1n, 2n, 3n, 4n, 7n].map((u) => ({ userData: u, res: 0 })),
  );
  if (!got) return;
  assert.deepEqual(
    got.map((e) => e.userData),
    [11n, 10n, 1000n, 5n, 1100n],
  );
});

test("loops: for with continue/break, while, do-while", async (t) => {
  const body = `
export function onCompletion(cqe: Cqe): void {
  const n: u32 = u32(cqe.userData);
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 10; i++) {
    if (i == 3) continue;
    if (i >= n) break;
    sum += i;
  }
  let w: u32 = 0;
  while (w < n && w < 20) w += 3;
  let d: u32 = 100;
  do { d -= 7; } while (d > 50);
  emit({ userData: u64(sum), res: i32(w * 1000 + d) });
}`;
  // Lenient: without CAP_PERFMON the verifier also walks the mispredicted exit of each
  // constant-bounded loop, which here runs on until the counter wraps (docs/compile.md).
  const got = await runAll(
    t,
    body,
    [
      { userData: 6n, res: 0 },
      { userData: 50n, res: 0 },
    ],
    false,
    4,
  );
  if (!got) return;
  const model = (n: number): [bigint, number] => {
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      if (i === 3) continue;
      if (i >= n) break;
      sum += i;
    }
    let w = 0;
    while (w < n && w < 20) w += 3;
    let d = 100;
    do d -= 7;
    while (d > 50);
    return [BigInt(sum), w * 1000 + d];
  };
  assert.deepEqual(
    got.map((e) => [e.userData, e.res]),
    [model(6), model(50)],
  );
});

test("many values live across helper calls are kept (registers and spills)", async (t) => {
  const body = `
export function onCompletion(cqe: Cqe): void {
  const a = cqe.userData + 1;
  const b = cqe.userData + 2;
  const c = cqe.userData + 3;
  const d = cqe.userData + 4;
  const e = cqe.userData + 5;
  const f = cqe.userData + 6;
  const t0 = ktime();
  const g = (a + b) * (c + d) + (ktime() - t0) * 0 + (e ^ f) + u64(random() & 0);
  emit({ userData: a + b + c + d + e + f, res: i32(g) });
  emit({ userData: (a * 2 + (b * 3 + (c * 4 + (d * 5 + (e * 6 + f * 7))))), res: 0 });
}`;
  const ud = 10n;
  const got = await runAll(t, body, [{ userData: ud, res: 0 }]);
  if (!got) return;
  const [a, b, c, d, e, f] = [1n, 2n, 3n, 4n, 5n, 6n].map((k) => ud + k) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const g = (a + b) * (c + d) + (e ^ f);
  assert.deepEqual(
    got.map((x) => [x.userData, x.res]),
    [
      [a + b + c + d + e + f, s32(g)],
      [a * 2n + b * 3n + c * 4n + d * 5n + e * 6n + f * 7n, 0],
    ],
  );
});

test("helper calls with 5 arguments from temporaries; maps get/set/has/delete", async (t) => {
  const body = `
const m = new HashMap<u64, u64>(16);
export function onCompletion(cqe: Cqe): void {
  const k = cqe.userData;
  m.set(k, k * 3);
  const p = m.get(k);
  let v: u64 = 0;
  if (p !== null) v = p;
  const had = m.has(k);
  m.delete(k);
  const gone = !m.has(k);
  // emit(ctx, cq, userData, res, flags): every argument computed
  emit({ cq: u16(cqe.flags & 0), userData: v + 1, res: (had ? i32(1) : 0) + (gone ? i32(2) : 0), flags: cqe.flags ^ 1 });
}`;
  const got = await runAll(t, body, [{ userData: 7n, res: 0, flags: 4 }]);
  if (!got) return;
  assert.deepEqual(got, [{ cq: 0, userData: 22n, res: 3, flags: 5 }]);
});
