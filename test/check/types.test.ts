// Layout and constant folding (src/check/types.ts), checked against independent references:
// JavaScript's own 32-bit integer operators and hand-computed C layouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CQE,
  INT_TYPES,
  fits,
  foldBinary,
  foldUnary,
  layoutStruct,
  structPadding,
  wrap,
} from "../../src/check/types.js";
import { CQE_FIELDS, CQE_SIZE } from "../../src/targets/sqe.js";

const { u8, u16, u32, u64, i8, i32, i64 } = INT_TYPES;

function fold(
  op: Parameters<typeof foldBinary>[0],
  a: bigint,
  b: bigint,
  t = u32,
): bigint | boolean {
  const r = foldBinary(op, a, b, t);
  assert.ok(r.ok, `fold ${a} ${op} ${b} failed`);
  return r.value;
}

test("struct layout follows C natural alignment", () => {
  const s = layoutStruct("S", [
    { name: "a", type: u8 },
    { name: "b", type: u64 },
    { name: "c", type: u16 },
  ]);
  assert.deepEqual(
    s.fields.map((f) => f.offset),
    [0, 8, 16],
  );
  assert.equal(s.size, 24);
  assert.equal(s.align, 8);
  assert.deepEqual(structPadding(s), [
    { offset: 1, size: 7 },
    { offset: 18, size: 6 },
  ]);
  const inner = layoutStruct("In", [
    { name: "x", type: u16 },
    { name: "y", type: u8 },
  ]);
  assert.equal(inner.size, 4);
  const outer = layoutStruct("Out", [
    { name: "p", type: u8 },
    { name: "q", type: inner },
    { name: "r", type: { kind: "array", element: u8, length: 3 } },
  ]);
  assert.deepEqual(
    outer.fields.map((f) => f.offset),
    [0, 2, 6],
  );
  assert.equal(outer.size, 10);
  assert.equal(outer.align, 2);
});

test("Cqe matches the ring ABI table: 16 bytes, read-only", () => {
  assert.equal(CQE.size, CQE_SIZE);
  assert.ok(CQE.readonly);
  for (const f of CQE_FIELDS) {
    const g = CQE.fields.find((x) => x.name === f.name);
    assert.ok(g);
    assert.equal(g.offset, f.offset);
  }
});

test("wrap and fits at every width", () => {
  assert.equal(wrap(256n, u8), 0n);
  assert.equal(wrap(-1n, u32), 0xffffffffn);
  assert.equal(wrap(0x80n, i8), -128n);
  assert.equal(wrap(1n << 63n, i64), -(1n << 63n));
  assert.ok(fits(255n, u8) && !fits(256n, u8) && !fits(-1n, u8));
  assert.ok(fits(-128n, i8) && !fits(-129n, i8));
});

test("BPF division semantics: x / 0 == 0, x % 0 == x, truncation toward zero", () => {
  assert.equal(fold("/", 7n, 0n), 0n);
  assert.equal(fold("%", 7n, 0n), 7n);
  assert.equal(fold("/", -7n, 2n, i32), -3n);
  assert.equal(fold("%", -7n, 2n, i32), -1n);
  assert.equal(fold("/", -(1n << 31n), -1n, i32), -(1n << 31n)); // INT_MIN / -1 wraps
  assert.equal(fold("%", -(1n << 31n), -1n, i32), 0n);
});

test("shifts: >> arithmetic on signed, logical on unsigned; >>> always logical; counts bounded", () => {
  assert.equal(fold(">>", -8n, 1n, i32), -4n);
  assert.equal(fold(">>", 0xfffffff8n, 1n, u32), 0x7ffffffcn);
  assert.equal(fold(">>>", -8n, 1n, i32), wrap(0x7ffffffcn, i32));
  assert.equal(fold("<<", 1n, 31n, u32), 0x80000000n);
  const bad = foldBinary("<<", 1n, 32n, u32);
  assert.equal(bad.ok, false);
  assert.equal(foldBinary(">>", 1n, -1n, u64).ok, false);
  // Untyped constants must stay within 64 bits.
  assert.equal(foldBinary("+", (1n << 64n) - 1n, 1n, undefined).ok, false);
  assert.equal(foldUnary("-", (1n << 63n) + 1n, undefined).ok, false);
  assert.deepEqual(foldUnary("~", 0n, u8), { ok: true, value: 255n });
});

test("u32 and i32 folding agrees with JavaScript's 32-bit operators (property)", () => {
  const u = fc.integer({ min: 0, max: 0xffffffff });
  fc.assert(
    fc.property(u, u, fc.integer({ min: 0, max: 31 }), (a, b, s) => {
      const A = BigInt(a);
      const B = BigInt(b);
      assert.equal(fold("+", A, B), BigInt((a + b) >>> 0));
      assert.equal(fold("-", A, B), BigInt((a - b) >>> 0));
      assert.equal(fold("*", A, B), BigInt(Math.imul(a, b) >>> 0));
      assert.equal(fold("&", A, B), BigInt((a & b) >>> 0));
      assert.equal(fold("^", A, B), BigInt((a ^ b) >>> 0));
      assert.equal(fold(">>", A, BigInt(s)), BigInt(a >>> s));
      assert.equal(fold("<<", A, BigInt(s)), BigInt((a << s) >>> 0));
      if (b !== 0) assert.equal(fold("/", A, B), BigInt(Math.floor(a / b)));
      const sa = a | 0;
      const sb = b | 0;
      const SA = BigInt(sa);
      const SB = BigInt(sb);
      assert.equal(fold(">>", SA, BigInt(s), i32), BigInt(sa >> s));
      assert.equal(fold("+", SA, SB, i32), BigInt((sa + sb) | 0));
      if (sb !== 0) {
        assert.equal(fold("/", SA, SB, i32), BigInt(Math.trunc(sa / sb) | 0));
        assert.equal(fold("%", SA, SB, i32), BigInt((sa % sb) | 0));
      }
      assert.equal(fold("<", SA, SB, i32), sa < sb);
    }),
    { numRuns: 500 },
  );
});
