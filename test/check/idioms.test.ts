// The TypeScript idioms of issue 13, each in a valid-corpus program (test/programs/valid/
// idiom-*.bpf.ts): the program compiles with default options, our verifier accepts it, and
// it runs in the VM with the meaning TypeScript gives it. Every program writes its results
// into the map `out`; the expected values are computed here as TypeScript would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/codegen/index.js";
import { verifyObject } from "../../src/verifier/index.js";
import { parseScenario } from "../../src/vm/scenario.js";
import { simulate } from "../../src/vm/simulate.js";

const DIR = join(import.meta.dirname, "..", "programs", "valid");

/** Compiles, verifies and runs `file`; returns the map `out` as key → value. */
function outOf(file: string, scenario = "{}"): Map<number, bigint> {
  const path = join(DIR, file);
  // The VM scenario below is iouring-v2's; test/guest/kernel71.test.ts loads these on 7.x.
  const r = compile([{ path, text: readFileSync(path, "utf8") }], { target: "iouring-v2" });
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.code} ${d.message}`),
    [],
    `${file}: diagnostics`,
  );
  assert.ok(r.object, `${file}: no object`);
  const v = verifyObject(r.object, { target: "iouring-v2" });
  assert.deepEqual(
    v.diagnostics.map((d) => `${d.code} ${d.message}`),
    [],
    `${file}: verifier`,
  );
  const sim = simulate(r.object, parseScenario(scenario, "s.yaml").scenario!);
  assert.deepEqual(
    sim.diagnostics.filter((d) => d.severity === "error").map((d) => d.message),
    [],
    `${file}: VM`,
  );
  assert.ok(!sim.events.some((e) => e.type === "fault"), `${file}: fault`);
  const out = new Map<number, bigint>();
  for (const [k, val] of Object.entries(sim.final!.maps.out ?? {}))
    out.set(Buffer.from(k, "hex").readUInt32LE(), Buffer.from(val, "hex").readBigUInt64LE());
  return out;
}

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);

test("counters: untyped `let`/for counters, two counters, inferred return, return f()", () => {
  const out = outOf("idiom-counters.bpf.ts");
  const n = 4;
  // The last completion has userData n; sum over i < n of ud*ud + j with j = 10, 9, …
  let sum = 0n;
  for (let i = 0, j = 10; i < n; i++, j--) sum += BigInt(n * n) + BigInt(j);
  let count = 0;
  for (let k = 0; k < 3; k++) count += 2;
  const want = new Map<number, bigint>([
    [1, sum],
    [3, BigInt(n)],
  ]);
  if (count <= n) want.set(2, BigInt(count)); // only when completed reached count
  assert.deepEqual(out, want);
});

test("widening, choices of constants, ~FLAG on unsigned, Math.min/max", () => {
  const out = outOf("idiom-widening.bpf.ts");
  const ud = 7n,
    res = 0n,
    cflags = 0n;
  const flags = cflags | 3n;
  const small = ud & 0xffn;
  const mid = (ud & 0xffffn) + 1000n;
  const total = small + mid;
  const r = res - 5n;
  const signedTotal = r;
  const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
  const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
  assert.deepEqual(
    out,
    new Map<number, bigint>([
      [1, flags],
      [2, flags + total],
      [3, r < signedTotal ? 1n : 0n],
      [4, total > flags ? total : flags],
      [5, res === 0n ? 1n : 0n],
      [6, res < 0n ? 1n : 0n],
      [7, flags & (~2n & 0xffffffffn)],
      [8, 0xffn & (~1n & 0xffn)],
      [9, min(total, 100n)],
      [10, max(small, flags)],
      [11, u64(min(r, -10n) + 100n)],
    ]),
  );
});

test("tables: as const object, const enum parameter, boolean, type aliases", () => {
  const out = outOf("idiom-tables.bpf.ts");
  const Phase = { Start: 10, Run: 20, Done: 30 };
  assert.deepEqual(
    out,
    new Map<number, bigint>([
      [Phase.Start, 1n],
      [Phase.Run, 2n],
      [Phase.Done, 3n],
      [1, 0n], // no NOP failed
    ]),
  );
});

test("map values: ?? defaults, ?. fields, narrowed struct updates, rebinding", () => {
  const out = outOf("idiom-map-values.bpf.ts");
  assert.deepEqual(
    out,
    new Map<number, bigint>([
      [1, 40n + 1n],
      [2, 1n],
      [3, 99n],
      [4, 5n + 1n],
      [5, 100n],
      [6, 77n],
      [7, (40n + 1n + 1n + 5n) * 2n],
      [8, 40n + 1n],
    ]),
  );
});

test("destructuring a Cqe; a timeout given the len the op fixes", () => {
  const out = outOf("idiom-destructure.bpf.ts");
  const ETIME = 62n; // a timeout with nothing to wait for completes with -ETIME
  assert.deepEqual(
    out,
    new Map<number, bigint>([
      [1, 9n],
      [2, ETIME],
      [3, 0n],
    ]),
  );
});
