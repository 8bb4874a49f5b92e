// Regression tests for two miscompiles found by writing programs the way a TypeScript
// developer does (issue 13): each program compiles with default options (our verifier runs),
// runs in the VM with results computed here, and loads in the kernel oracle when available.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kernelVerify } from "../../src/kernel/index.js";
import { parseScenario } from "../../src/vm/scenario.js";
import { simulate } from "../../src/vm/simulate.js";
import { compileText, mustCompile, needKernel } from "./helpers.js";
import type { ObjFile } from "../../src/elf/types.js";
import { verifyObject } from "../../src/verifier/index.js";

/** Our verifier accepts the object, as `ioubpf compile` requires by default. */
function verified(obj: ObjFile): ObjFile {
  const v = verifyObject(obj, { target: "iouring-v2" });
  assert.deepEqual(
    v.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`),
    [],
  );
  return obj;
}

function run(obj: ObjFile): Record<string, Record<string, string>> {
  const sc = parseScenario("{}", "s.yaml");
  const r = simulate(obj, sc.scenario!);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  return r.final!.maps;
}
const le64 = (x: bigint): string => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(x);
  return b.toString("hex");
};

// `s = byTag.get(tag)` on a `let` that already holds a map reference must rebind `s`; it
// used to store the new pointer through the old one (or fail with E7003 once narrowed).
const REBIND = `import { Cqe, HashMap, submit, stop, u64 } from "ioubpf/lang";
interface Stat { count: u64; }
const byTag = new HashMap<u64, Stat>(16);
let seen: u64 = 0;
export function onStart(): void {
  byTag.set(1, { count: 100 });
  submit.nop({ userData: 1 });
  submit.nop({ userData: 2 });
}
export function onCompletion(cqe: Cqe): void {
  let s = byTag.get(1);
  if (s === null) return;
  s.count++;
  s = byTag.get(cqe.userData);            // rebinds: narrowed before, nullable again
  if (s === null) {
    byTag.set(cqe.userData, { count: 0 });
    s = byTag.get(cqe.userData);          // rebinds while null
  }
  if (s !== null) s.count += 10;
  seen++;
  if (seen == 2) stop();
}
`;

test("a map reference local is rebound by `s = m.get(k)`, not written through", async (t) => {
  for (const opt of [0, 2] as const) {
    const obj = verified(mustCompile(compileText(REBIND, { opt })));
    const maps = run(obj);
    // Two completions: key 1 gets +1 twice and +10 once; key 2 is created and gets +10.
    assert.deepEqual(maps.byTag, { [le64(1n)]: le64(100n + 1n + 10n + 1n), [le64(2n)]: le64(10n) });
  }
  if (!needKernel(t)) return;
  const v = await kernelVerify(mustCompile(compileText(REBIND)), { target: "iouring-v2" });
  assert.equal(v.verdict, "accept", v.reason);
});

// A local FixedArray indexed by a loop counter or a runtime value: no variable offset on the
// stack pointer (it was `r1 <<= 2; r1 += r10; *(u32 *)(r1 - 0x20) = …`).
const ARRAY = `import { Cqe, FixedArray, HashMap, submit, stop, u32, u64 } from "ioubpf/lang";
const out = new HashMap<u32, u64>(16);
let seen: u32 = 0;
export function onStart(): void {
  submit.nop({ userData: 5 });
}
export function onCompletion(cqe: Cqe): void {
  let a!: FixedArray<u32, 4>;
  for (let i: u32 = 0; i < 4; i++) a[i] = i * 3 + 1;
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 4; i++) sum += a[i];
  out.set(0, u64(sum));
  const k = u32(cqe.userData) & 3;      // a runtime index
  a[k] = 40;
  out.set(1, u64(a[k]) + u64(a[0]));
  let w!: FixedArray<u64, 3>;
  w[u32(cqe.userData) % 3] = 7;
  out.set(2, w[0] + w[1] * 10 + w[2] * 100);
  stop();
}
`;

test("a local FixedArray indexed by a variable verifies and computes the right elements", async (t) => {
  for (const opt of [0, 2] as const) {
    const r = compileText(ARRAY, { opt });
    const obj = verified(mustCompile(r));
    const maps = run(obj);
    const a = [1n, 4n, 7n, 10n];
    const sum = a.reduce((x, y) => x + y, 0n);
    const k = 5 & 3;
    a[k] = 40n;
    const w = [0n, 0n, 0n];
    w[5 % 3] = 7n;
    const le32 = (x: number): string => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(x);
      return b.toString("hex");
    };
    assert.deepEqual(maps.out, {
      [le32(0)]: le64(sum),
      [le32(1)]: le64(a[k]! + a[0]!),
      [le32(2)]: le64(w[0]! + w[1]! * 10n + w[2]! * 100n),
    });
    assert.deepEqual(r.diagnostics, []);
  }
  if (!needKernel(t)) return;
  // Lenient (privileged, as io_uring loaders are): the unprivileged kernel also walks the
  // mispredicted side of each counted loop's branch and gives up ("too complex"), as for
  // test/programs/valid/loops.bpf.ts.
  const v = await kernelVerify(mustCompile(compileText(ARRAY)), {
    target: "iouring-v2",
    strict: false,
  });
  assert.equal(v.verdict, "accept", `${v.mode}: ${v.reason}`);
});

// Found by the long fuzz run (issue 15): a dozen chained compound assignments to globals
// (`echoed += echoed += … += x`) threw "codegen: all temporaries pinned" out of the compiler
// (exit 3): each level held its address and old value in registers. They may now go to
// spill slots under pressure; JavaScript's order (each old value read before its right side).
const CHAIN = `import { Cqe, HashMap, submit, stop, u64 } from "ioubpf/lang";
const out = new HashMap<u64, u64>(4);
let a: u64 = 3;
let b: u64 = 5;
export function onStart(): void {
  submit.nop({ userData: 7 });
}
export function onCompletion(cqe: Cqe): void {
  a += a += a += a += a += a += a += a += a += a += a += a += cqe.userData;
  b ^= a -= b += a *= b |= a + cqe.userData;
  out.set(0, a);
  out.set(1, b);
  stop();
}
`;

test("a dozen chained compound assignments compile, spill, and follow JavaScript's order", async (t) => {
  // JavaScript itself computes the expected values: the same statements on BigInts (+, -, *,
  // | and ^ agree with 64-bit wrapping arithmetic once the result is taken mod 2^64).
  let a = 3n;
  let b = 5n;
  const userData = 7n;
  a += a += a += a += a += a += a += a += a += a += a += a += userData;
  b ^= a -= b += a *= b |= a + userData;
  a = BigInt.asUintN(64, a);
  b = BigInt.asUintN(64, b);
  for (const opt of [0, 2] as const) {
    const obj = verified(mustCompile(compileText(CHAIN, { opt })));
    const maps = run(obj);
    assert.deepEqual(maps.out, { [le64(0n)]: le64(a), [le64(1n)]: le64(b) }, `-O${opt}`);
  }
  if (!needKernel(t)) return;
  const v = await kernelVerify(mustCompile(compileText(CHAIN)), { target: "iouring-v2" });
  assert.equal(v.verdict, "accept", v.reason);
});
