// The checker's output tables (what code generation reads), warnings, target options, and
// robustness: bad input never throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import fc from "fast-check";
import { SourceFile, type Diagnostic } from "../../src/diagnostics/index.js";
import {
  CheckCodes,
  checkSource,
  codegenSupport,
  type CheckOptions,
} from "../../src/check/index.js";
import { getTarget } from "../../src/targets/targets.js";
import { CODE_BLOCKS } from "../../src/diagnostics/codes.js";

const HEAD = `import { Cqe, submit, emit, stop, trace, u8, u16, u32, u64, i32, i64, bool, ArrayMap, HashMap, RingBuf, FixedArray } from "ioubpf/lang";\n`;

function run(body: string, options: CheckOptions = {}, file = "t.bpf.ts") {
  return checkSource(new SourceFile(file, HEAD + body), options);
}
function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.severity[0]}:${d.code}`);
}

test("the language.md example: folded constants, globals and sections, entry points, calls", () => {
  const src = readFileSync("test/check/language-example.bpf.ts", "utf8");
  const r = checkSource(new SourceFile("copy.bpf.ts", src), { target: "iouring-v2" });
  assert.deepEqual(r.diagnostics, []);
  const c = r.checked!;
  assert.equal(c.name, "copy");
  assert.equal(c.license, "GPL");
  assert.equal(c.target.name, "iouring-v2");
  assert.equal(c.mcpu, "v3");
  assert.equal(c.consts.get("BLOCK")?.value, 16384n);
  assert.deepEqual(
    [...c.enums.get("Tag")!.members],
    [
      ["Read", 1n],
      ["Write", 2n],
    ],
  );
  const sections = Object.fromEntries(c.globals.map((g) => [g.name, g.section]));
  assert.deepEqual(sections, {
    IN_FD: ".rodata",
    OUT_FD: ".rodata",
    BUF: ".rodata",
    SIZE: ".rodata",
    offset: ".bss",
  });
  assert.ok(c.entryPoints.onStart && c.entryPoints.onCompletion);
  const submits = [...c.calls.values()].filter((t) => t.kind === "submit");
  assert.equal(submits.length, 3);
  const first = submits[0]!;
  assert.ok(first.kind === "submit");
  assert.equal(first.opcode, 22);
  assert.deepEqual(
    first.fields.map((f) => f.name),
    ["fd", "addr", "len", "off", "userData"],
  );
  assert.deepEqual(
    first.flags.map((f) => [f.name, f.constant]),
    [["fixedFile", true]],
  );
  // `len: BLOCK` took the field's type and its folded value.
  const len = first.fields.find((f) => f.name === "len")!;
  assert.equal(len.constant, 16384n);
  assert.equal(c.types.get(len.value)?.kind, "int");
  assert.ok(c.needsSleepable, "submit on iouring-v2 needs a sleepable program");
});

test("globals: .data with little-endian init bytes, .bss when zero; maps with key/value layouts", () => {
  const r = run(`
interface P { a: u8; b: u32; }
let counter: u32 = 0x01020304;
let zero: u64 = 0;
let p: P = { a: 1, b: 2 };
const m = new HashMap<u64, P>(64);
const rb = new RingBuf(8192);
export function onStart(): void { counter++; }
`);
  assert.deepEqual(codes(r.diagnostics), []);
  const c = r.checked!;
  const g = Object.fromEntries(c.globals.map((x) => [x.name, x]));
  assert.equal(g.counter!.section, ".data");
  assert.deepEqual([...g.counter!.initBytes!], [4, 3, 2, 1]);
  assert.equal(g.zero!.section, ".bss");
  assert.equal(g.p!.section, ".data");
  assert.deepEqual([...g.p!.initBytes!], [1, 0, 0, 0, 2, 0, 0, 0]);
  const m = c.maps.find((x) => x.name === "m")!;
  assert.deepEqual([m.mapKind, m.keySize, m.valueSize, m.maxEntries], ["HashMap", 8, 8, 64]);
  const rb = c.maps.find((x) => x.name === "rb")!;
  assert.deepEqual([rb.mapKind, rb.maxEntries], ["RingBuf", 8192]);
  assert.equal(c.structs.get("P")?.size, 8);
});

test("call graph, helper functions and locals", () => {
  const r = run(`
function sq(x: u32): u32 { return x * x; }
function twice(x: u32): u32 { return sq(x) + sq(x); }
export function onStart(): void { const y = twice(3); trace("%u", y); }
`);
  assert.deepEqual(codes(r.diagnostics), []);
  const c = r.checked!;
  assert.deepEqual(c.callGraph.get("onStart"), ["twice"]);
  assert.deepEqual(c.callGraph.get("twice"), ["sq"]);
  const twice = c.functions.find((f) => f.name === "twice")!;
  assert.equal(twice.params.length, 1);
  assert.equal(twice.returnType.kind, "int");
});

test("null checks: every narrowing form is accepted", () => {
  const r = run(`
interface S { n: u64; }
const m = new ArrayMap<u32, S>(4);
export function onStart(): void {
  const a = m.get(0);
  if (a) { a.n += 1; }
  const b = m.get(1);
  if (b === null) return;
  b.n = 2;
  const c = m.get(2);
  if (!c) { return; }
  c.n = 3;
  const d = m.get(3);
  if (d !== null && d.n > 0) { d.n = 0; }
  const e = m.get(0);
  const v: u64 = e ? e.n : 0;
  const f = m.get(1);
  if (null == f || f.n == 7) return;
  f.n = v;
}
`);
  assert.deepEqual(codes(r.diagnostics), []);
});

test("loops: for with constant bound, while and do-while stepping a counter, && conditions", () => {
  const r = run(`
const N = 8;
export function onStart(): void {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < N; i++) sum += i;
  for (let j: i32 = 10; j > 0; j -= 2) sum += 1;
  for (let k: u32 = N; 0 < k; k--) sum += 1;
  let w: u32 = 0;
  while (w < 4 && sum != 3) { w++; sum += 2; }
  let dw: u32 = 0;
  do { dw += 1; } while (dw <= 5);
  trace("%u", sum);
}
`);
  assert.deepEqual(codes(r.diagnostics), []);
});

test("warnings: divisor may be zero, division by constant zero, unreachable code; warnings do not fail", () => {
  const r = run(`
let a: u32 = 1;
export function onStart(): void {
  a = a / a;
  a = a % 0;
  return;
  a = 2;
}
`);
  assert.deepEqual(codes(r.diagnostics), ["w:E2140", "w:E2141", "w:E2142"]);
  assert.ok(r.checked);
});

test("a divisor proved non-zero by a condition on the path does not warn", () => {
  const r = run(`
function safe(a: u32, b: u32): u32 {
  if (b == 0) return 0;
  return a / b;
}
function guarded(a: u32, b: u32): u32 {
  if (b != 0 && a > 0) { return a % b; }
  const q: u32 = 0 < b ? a / b : 0;
  b = 0;
  return q + a / b;
}
export function onStart(): void { trace("%u", safe(4, 2) + guarded(4, 2)); }
`);
  // Only the division after \`b = 0\` (the proof is dropped by the assignment) warns.
  const ws = r.diagnostics.filter((d) => d.code === "E2140");
  assert.equal(ws.length, 1);
  assert.equal(ws[0]!.range?.start.line, 11);
});

test("--mcpu: signed division accepted on v4; v4 on a 5.12 target warns; bad names are errors", () => {
  const prog = `let x: i32 = 7;\nexport function onStart(): void { x = x / 2; x = x / x; }\n`;
  assert.deepEqual(codes(run(prog, { target: "linux-7.1" }).diagnostics), ["w:E2140"]);
  const v2v4 = run(prog, { target: "iouring-v2", mcpu: "v4" });
  assert.deepEqual(codes(v2v4.diagnostics), ["w:E3003", "w:E2140"]);
  // A constant divisor still needs the signed instruction.
  assert.deepEqual(codes(run(prog, { target: "iouring-v2" }).diagnostics), [
    "e:E3030",
    "e:E3030",
    "w:E2140",
  ]);
  assert.deepEqual(codes(run(prog, { target: "iouring-v9" }).diagnostics), ["e:E3001"]);
  assert.deepEqual(codes(run(prog, { mcpu: "v7" }).diagnostics), ["e:E3004"]);
});

test("lossless widening into SQE and emit fields; narrowing is an error", () => {
  const ok = run(`export function onCompletion(cqe: Cqe): void {
  const slot: u32 = u32(cqe.userData);
  submit.nop({ userData: slot });
  emit({ userData: slot, res: i32(cqe.flags & 0xff), flags: u16(1) });
}`);
  assert.deepEqual(codes(ok.diagnostics), []);
  const bad = run(
    `export function onCompletion(cqe: Cqe): void { submit.nop({ personality: cqe.flags }); }`,
  );
  assert.deepEqual(codes(bad.diagnostics), ["e:E3022"]);
});

test("linux-7.1 checks and has code generation; a target without it is reported", () => {
  const r = run(
    `export function onCompletion(cqe: Cqe): void { submit.socket({ fd: 2, off: 1 }); }`,
    { target: "linux-7.1" },
  );
  assert.deepEqual(codes(r.diagnostics), []);
  assert.equal(codegenSupport(getTarget("linux-7.1")), undefined);
  assert.equal(codegenSupport(getTarget("iouring-v2")), undefined);
  const none = { ...getTarget("linux-7.1"), codegenSupported: false };
  assert.equal(codegenSupport(none)?.code, CheckCodes.codegenUnsupported);
});

test("every error is collected in one run, up to the limit", () => {
  const many = Array.from({ length: 30 }, (_, i) => `  x${i}++;`).join("\n");
  const r = run(`export function onStart(): void {\n${many}\n}`);
  assert.equal(r.diagnostics.filter((d) => d.code === "E2001").length, 30);
  const limited = run(`export function onStart(): void {\n${many}\n}`, { errorLimit: 5 });
  assert.equal(limited.diagnostics.length, 6);
  assert.ok(limited.diagnostics.some((d) => /25 more not shown/.test(d.message)));
});

test("diagnostic codes are unique and inside the checker's blocks", () => {
  const all = Object.values(CheckCodes);
  assert.equal(new Set(all).size, all.length);
  for (const c of all) {
    const n = Number(c.slice(1));
    const inCheck = n >= CODE_BLOCKS.check[0] && n <= CODE_BLOCKS.check[1];
    const inTarget = n >= CODE_BLOCKS.target[0] && n <= CODE_BLOCKS.target[1];
    assert.ok(/^E\d{4}$/.test(c) && (inCheck || inTarget), c);
  }
});

test("mutated valid programs never make the checker throw (property)", () => {
  const dir = "test/programs/valid";
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".bpf.ts")) : [];
  const texts = [
    readFileSync("test/check/language-example.bpf.ts", "utf8"),
    ...files.map((f) => readFileSync(`${dir}/${f}`, "utf8")),
  ];
  const targets = ["iouring-v1", "iouring-v2", "linux-7.1"];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: texts.length - 1 }),
      fc.nat(),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(
        "",
        "0",
        "null",
        "u64",
        "x",
        "true",
        "-1",
        "(",
        "}",
        "cqe.res",
        "1 << 70",
        "m.get(0)",
      ),
      fc.constantFrom(...targets),
      (which, at, len, insert, target) => {
        const t = texts[which]!;
        const i = at % Math.max(1, t.length);
        const mutated = t.slice(0, i) + insert + t.slice(i + len);
        const r = checkSource(new SourceFile("m.bpf.ts", mutated), { target });
        for (const d of r.diagnostics) assert.match(d.code, /^E\d{4}$/);
      },
    ),
    { numRuns: 300 },
  );
});
