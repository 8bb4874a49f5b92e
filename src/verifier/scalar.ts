// The scalar domain: a tnum (known bits: value/mask) plus unsigned and signed 64-bit ranges,
// all kept in bigint so 64-bit wrap-around is exact. Every operation over-approximates the
// concrete results (soundness); `sync` re-derives each part from the others after a change.

export const U64 = (1n << 64n) - 1n;
export const U32 = (1n << 32n) - 1n;
const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

export interface Scalar {
  /** Known bits (u64), and the mask of unknown bits; value & mask === 0. */
  v: bigint;
  m: bigint;
  umin: bigint;
  umax: bigint;
  smin: bigint;
  smax: bigint;
}

const u = (x: bigint): bigint => BigInt.asUintN(64, x);
const s = (x: bigint): bigint => BigInt.asIntN(64, x);

export function constant(x: bigint | number): Scalar {
  const v = u(BigInt(x));
  return { v, m: 0n, umin: v, umax: v, smin: s(v), smax: s(v) };
}

export function unknown(): Scalar {
  return { v: 0n, m: U64, umin: 0n, umax: U64, smin: S64_MIN, smax: S64_MAX };
}

/** Unknown value of `bytes` bytes, zero-extended. */
export function unknownBytes(bytes: number): Scalar {
  if (bytes >= 8) return unknown();
  const max = (1n << BigInt(bytes * 8)) - 1n;
  return { v: 0n, m: max, umin: 0n, umax: max, smin: 0n, smax: max };
}

export function isConst(a: Scalar): boolean {
  return a.m === 0n;
}

export function isTop(a: Scalar): boolean {
  return a.m === U64 && a.umin === 0n && a.umax === U64 && a.smin === S64_MIN && a.smax === S64_MAX;
}

function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  if (hi !== 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x));
}

/** The tnum of all values in [lo, hi] (unsigned). */
function tnumRange(lo: bigint, hi: bigint): { v: bigint; m: bigint } {
  const chi = lo ^ hi;
  const bits = bitLength(chi);
  if (bits > 63) return { v: 0n, m: U64 };
  const delta = (1n << BigInt(bits)) - 1n;
  return { v: lo & ~delta & U64, m: delta };
}

/**
 * Re-derives every part from the others. Returns undefined when the parts contradict each
 * other (no concrete value fits): a branch refined that way cannot be taken.
 */
export function sync(a: Scalar): Scalar | undefined {
  let { v, m, umin, umax, smin, smax } = a;
  for (let round = 0; round < 3; round++) {
    // tnum → ranges
    if (umin < v) umin = v;
    if (umax > (v | m)) umax = v | m;
    const sign = 1n << 63n;
    if ((m & sign) === 0n) {
      // sign bit known: the tnum's extremes are ordered the same way signed
      const lo = s(v);
      const hi = s(v | m);
      if (smin < lo) smin = lo;
      if (smax > hi) smax = hi;
    }
    // unsigned ↔ signed when the range does not cross the sign boundary
    if (umax <= S64_MAX || umin > S64_MAX) {
      if (smin < s(umin)) smin = s(umin);
      if (smax > s(umax)) smax = s(umax);
    }
    if (smin >= 0n || smax < 0n) {
      if (umin < u(smin)) umin = u(smin);
      if (umax > u(smax)) umax = u(smax);
    }
    if (umin > umax || smin > smax) return undefined;
    // ranges → tnum
    const r = tnumRange(umin, umax);
    if (((v ^ r.v) & ~(m | r.m) & U64) !== 0n) return undefined;
    const nm = m & r.m;
    const nv = (v | r.v) & ~nm & U64;
    if (nv === v && nm === m && round > 0) break;
    v = nv;
    m = nm;
  }
  if (umin > umax || smin > smax) return undefined;
  if (umin < v || umax > (v | m)) {
    if (v > umax || (v | m) < umin) return undefined;
  }
  return { v, m, umin, umax, smin, smax };
}

function mk(v: bigint, m: bigint, umin = 0n, umax = U64, smin = S64_MIN, smax = S64_MAX): Scalar {
  return sync({ v: v & ~m & U64, m: m & U64, umin, umax, smin, smax }) ?? unknown();
}

function fromRange(umin: bigint, umax: bigint): Scalar {
  const t = tnumRange(umin, umax);
  return mk(t.v, t.m, umin, umax);
}

// --- tnum arithmetic (standard known-bits rules) -----------------------------------------

function tAdd(a: Scalar, b: Scalar): [bigint, bigint] {
  const sm = u(a.m + b.m);
  const sv = u(a.v + b.v);
  const sigma = u(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.m | b.m;
  return [sv & ~mu & U64, mu & U64];
}

function tSub(a: Scalar, b: Scalar): [bigint, bigint] {
  const dv = u(a.v - b.v);
  const alpha = u(dv + a.m);
  const beta = u(dv - b.m);
  const chi = alpha ^ beta;
  const mu = chi | a.m | b.m;
  return [dv & ~mu & U64, mu & U64];
}

export function add(a: Scalar, b: Scalar): Scalar {
  if (isConst(a) && isConst(b)) return constant(a.v + b.v);
  const [v, m] = tAdd(a, b);
  let umin = 0n;
  let umax = U64;
  if (a.umax + b.umax <= U64) {
    umin = a.umin + b.umin;
    umax = a.umax + b.umax;
  }
  let smin = S64_MIN;
  let smax = S64_MAX;
  const lo = a.smin + b.smin;
  const hi = a.smax + b.smax;
  if (lo >= S64_MIN && hi <= S64_MAX) {
    smin = lo;
    smax = hi;
  }
  return mk(v, m, umin, umax, smin, smax);
}

export function sub(a: Scalar, b: Scalar): Scalar {
  if (isConst(a) && isConst(b)) return constant(a.v - b.v);
  const [v, m] = tSub(a, b);
  let umin = 0n;
  let umax = U64;
  if (a.umin >= b.umax) {
    umin = a.umin - b.umax;
    umax = a.umax - b.umin;
  }
  let smin = S64_MIN;
  let smax = S64_MAX;
  const lo = a.smin - b.smax;
  const hi = a.smax - b.smin;
  if (lo >= S64_MIN && hi <= S64_MAX) {
    smin = lo;
    smax = hi;
  }
  return mk(v, m, umin, umax, smin, smax);
}

export function mul(a: Scalar, b: Scalar): Scalar {
  if (isConst(a) && isConst(b)) return constant(a.v * b.v);
  if (a.umax * b.umax <= U64) return fromRange(a.umin * b.umin, a.umax * b.umax);
  return unknown();
}

export function and(a: Scalar, b: Scalar): Scalar {
  const alpha = a.v | a.m;
  const beta = b.v | b.m;
  const v = a.v & b.v;
  const m = alpha & beta & ~v & U64;
  // x & y <= min(x, y) unsigned
  const umax = a.umax < b.umax ? a.umax : b.umax;
  return mk(v, m, 0n, umax);
}

export function or(a: Scalar, b: Scalar): Scalar {
  const v = a.v | b.v;
  const mu = a.m | b.m;
  const umin = a.umin > b.umin ? a.umin : b.umin;
  return mk(v, mu & ~v, umin, U64);
}

export function xor(a: Scalar, b: Scalar): Scalar {
  const mu = a.m | b.m;
  return mk((a.v ^ b.v) & ~mu, mu);
}

export function udiv(a: Scalar, b: Scalar): Scalar {
  // BPF: x / 0 == 0
  if (isConst(b)) {
    if (b.v === 0n) return constant(0);
    if (isConst(a)) return constant(a.v / b.v);
    return fromRange(a.umin / b.v, a.umax / b.v);
  }
  return fromRange(0n, a.umax);
}

export function umod(a: Scalar, b: Scalar): Scalar {
  // BPF: x % 0 == x
  if (isConst(b)) {
    if (b.v === 0n) return a;
    if (isConst(a)) return constant(a.v % b.v);
    const top = b.v - 1n;
    return fromRange(0n, a.umax < top ? a.umax : top);
  }
  if (b.umin > 0n) {
    const top = b.umax - 1n;
    return fromRange(0n, a.umax < top ? a.umax : top);
  }
  return fromRange(0n, a.umax);
}

export function lsh(a: Scalar, k: number): Scalar {
  const kk = BigInt(k);
  const v = u(a.v << kk);
  const m = u(a.m << kk);
  if (a.umax << kk <= U64) return mk(v, m, a.umin << kk, a.umax << kk);
  return mk(v, m);
}

export function rsh(a: Scalar, k: number): Scalar {
  const kk = BigInt(k);
  return mk(a.v >> kk, a.m >> kk, a.umin >> kk, a.umax >> kk);
}

export function arsh(a: Scalar, k: number): Scalar {
  const kk = BigInt(k);
  const v = u(s(a.v) >> kk);
  // an unknown sign bit smears into the shifted-in bits
  const m = (a.m >> 63n) & 1n ? u(s(a.m) >> kk) : a.m >> kk;
  return mk(v & ~m, m, 0n, U64, a.smin >> kk, a.smax >> kk);
}

export function neg(a: Scalar): Scalar {
  if (isConst(a)) return constant(-a.v);
  return sub(constant(0), a);
}

/** The low 32 bits, zero-extended. */
export function low32(a: Scalar): Scalar {
  if (isConst(a)) return constant(a.v & U32);
  if (a.umax <= U32) return a;
  if (a.umin >> 32n === a.umax >> 32n) return mk(a.v & U32, a.m & U32, a.umin & U32, a.umax & U32);
  return mk(a.v & U32, a.m & U32, 0n, U32);
}

/** Sign-extends the low `bits` bits. */
export function signExtend(a: Scalar, bits: 8 | 16 | 32): Scalar {
  const lim = (1n << BigInt(bits - 1)) - 1n;
  if (isConst(a)) return constant(BigInt.asIntN(bits, a.v));
  const low = (1n << BigInt(bits)) - 1n;
  const t = low32(a);
  if (t.umax <= lim && (a.umax & ~low) === 0n) return a; // sign bit clear: unchanged
  return mk(0n, U64, 0n, U64, -(lim + 1n), lim);
}

export function truncate(a: Scalar, bytes: number): Scalar {
  if (bytes >= 8) return a;
  const mask = (1n << BigInt(bytes * 8)) - 1n;
  if (isConst(a)) return constant(a.v & mask);
  if (a.umax <= mask) return a;
  return mk(a.v & mask, a.m & mask, 0n, mask);
}

/** 64-bit byte swap of a constant; anything else becomes unknown of the width. */
export function byteSwap(a: Scalar, bits: 16 | 32 | 64, swap: boolean): Scalar {
  const bytes = bits / 8;
  if (!swap) return truncate(a, bytes);
  if (!isConst(a)) return unknownBytes(bytes);
  let x = a.v;
  let out = 0n;
  for (let i = 0; i < bytes; i++) {
    out = (out << 8n) | (x & 0xffn);
    x >>= 8n;
  }
  return constant(out);
}

export function union(a: Scalar, b: Scalar): Scalar {
  const mu = a.m | b.m | (a.v ^ b.v);
  return mk(
    a.v & ~mu,
    mu,
    a.umin < b.umin ? a.umin : b.umin,
    a.umax > b.umax ? a.umax : b.umax,
    a.smin < b.smin ? a.smin : b.smin,
    a.smax > b.smax ? a.smax : b.smax,
  );
}

/** Every value `inner` allows is allowed by `outer`. */
export function contains(outer: Scalar, inner: Scalar): boolean {
  return (
    outer.umin <= inner.umin &&
    outer.umax >= inner.umax &&
    outer.smin <= inner.smin &&
    outer.smax >= inner.smax &&
    (inner.m & ~outer.m) === 0n &&
    (inner.v & ~outer.m) === outer.v
  );
}

export function equal(a: Scalar, b: Scalar): boolean {
  return (
    a.v === b.v &&
    a.m === b.m &&
    a.umin === b.umin &&
    a.umax === b.umax &&
    a.smin === b.smin &&
    a.smax === b.smax
  );
}

export function show(a: Scalar): string {
  if (isConst(a)) return `${s(a.v)}`;
  const parts: string[] = [];
  if (a.umin !== 0n || a.umax !== U64) parts.push(`umin=${a.umin},umax=${a.umax}`);
  if (a.smin !== S64_MIN || a.smax !== S64_MAX) parts.push(`smin=${a.smin},smax=${a.smax}`);
  return parts.length ? `scalar(${parts.join(",")})` : "scalar()";
}

// --- comparisons -------------------------------------------------------------------------

export type CmpOp =
  "JEQ" | "JNE" | "JGT" | "JGE" | "JLT" | "JLE" | "JSGT" | "JSGE" | "JSLT" | "JSLE" | "JSET";

const NEGATE: Record<CmpOp, CmpOp | undefined> = {
  JEQ: "JNE",
  JNE: "JEQ",
  JGT: "JLE",
  JLE: "JGT",
  JGE: "JLT",
  JLT: "JGE",
  JSGT: "JSLE",
  JSLE: "JSGT",
  JSGE: "JSLT",
  JSLT: "JSGE",
  JSET: undefined,
};

/**
 * Refines (a, b) under `a op b` being true. Returns undefined when that cannot hold.
 * 64-bit semantics.
 */
export function refine(op: CmpOp, a: Scalar, b: Scalar): [Scalar, Scalar] | undefined {
  if (a.m === 0n && b.m === 0n) return compareConst(op, a.v, b.v) ? [a, b] : undefined;
  const A = { ...a };
  const B = { ...b };
  const max = (x: bigint, y: bigint) => (x > y ? x : y);
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  switch (op) {
    case "JEQ": {
      const r = sync({
        v: (A.v | B.v) & ~(A.m & B.m),
        m: A.m & B.m,
        umin: max(A.umin, B.umin),
        umax: min(A.umax, B.umax),
        smin: max(A.smin, B.smin),
        smax: min(A.smax, B.smax),
      });
      if (!r) return undefined;
      if (((A.v ^ B.v) & ~(A.m | B.m) & U64) !== 0n) return undefined;
      return [r, r];
    }
    case "JNE":
      if (isConst(A) && isConst(B) && A.v === B.v) return undefined;
      for (const [x, y] of [
        [A, B],
        [B, A],
      ] as const) {
        if (isConst(y)) {
          if (x.umin === y.v) x.umin += 1n;
          if (x.umax === y.v) x.umax -= 1n;
          if (x.smin === s(y.v)) x.smin += 1n;
          if (x.smax === s(y.v)) x.smax -= 1n;
        }
      }
      break;
    case "JGT":
      A.umin = max(A.umin, B.umin + 1n);
      B.umax = min(B.umax, A.umax - 1n);
      break;
    case "JGE":
      A.umin = max(A.umin, B.umin);
      B.umax = min(B.umax, A.umax);
      break;
    case "JLT":
      A.umax = min(A.umax, B.umax - 1n);
      B.umin = max(B.umin, A.umin + 1n);
      break;
    case "JLE":
      A.umax = min(A.umax, B.umax);
      B.umin = max(B.umin, A.umin);
      break;
    case "JSGT":
      A.smin = max(A.smin, B.smin + 1n);
      B.smax = min(B.smax, A.smax - 1n);
      break;
    case "JSGE":
      A.smin = max(A.smin, B.smin);
      B.smax = min(B.smax, A.smax);
      break;
    case "JSLT":
      A.smax = min(A.smax, B.smax - 1n);
      B.smin = max(B.smin, A.smin + 1n);
      break;
    case "JSLE":
      A.smax = min(A.smax, B.smax);
      B.smin = max(B.smin, A.smin);
      break;
    case "JSET":
      if (isConst(B)) {
        if ((B.v & (A.v | A.m)) === 0n) return undefined;
        if (B.v !== 0n && (B.v & (B.v - 1n)) === 0n) {
          A.v |= B.v;
          A.m &= ~B.v;
        }
      }
      break;
  }
  const ra = sync(A);
  const rb = sync(B);
  if (!ra || !rb) return undefined;
  return [ra, rb];
}

/** The concrete outcome of `x op y` (u64 operands). */
function compareConst(op: CmpOp, x: bigint, y: bigint): boolean {
  switch (op) {
    case "JEQ":
      return x === y;
    case "JNE":
      return x !== y;
    case "JGT":
      return x > y;
    case "JGE":
      return x >= y;
    case "JLT":
      return x < y;
    case "JLE":
      return x <= y;
    case "JSGT":
      return s(x) > s(y);
    case "JSGE":
      return s(x) >= s(y);
    case "JSLT":
      return s(x) < s(y);
    case "JSLE":
      return s(x) <= s(y);
    case "JSET":
      return (x & y) !== 0n;
  }
}

/** Refines under `a op b` being false. */
export function refineFalse(op: CmpOp, a: Scalar, b: Scalar): [Scalar, Scalar] | undefined {
  if (a.m === 0n && b.m === 0n) return compareConst(op, a.v, b.v) ? undefined : [a, b];
  const n = NEGATE[op];
  if (n) return refine(n, a, b);
  // !(a & b): with a constant b, those bits of a are 0
  if (isConst(b)) {
    if ((a.v & b.v) !== 0n) return undefined;
    const r = sync({ ...a, m: a.m & ~b.v });
    return r ? [r, b] : undefined;
  }
  return [a, b];
}
