// Random VALID programs for iouring-v2 / linux-7.1 (test/codegen/random-valid.test.ts): a small
// AST drawn by fast-check and rendered to source. Every expression is a u64 (narrower globals are
// read through u64(...) and written through their conversion), so every program type-checks;
// loops are bounded by constants, array indexes are masked or loop counters below the length,
// and maps are read with a null check or `??`. The program does its work in onStart, and
// onCompletion (on the NOPs it queued) stops the chain.
import fc from "fast-check";

export const GLOBALS: readonly { name: string; type: string }[] = [
  { name: "g8", type: "u8" },
  { name: "g16", type: "u16" },
  { name: "g32", type: "u32" },
  { name: "g64", type: "u64" },
  { name: "gi32", type: "i32" },
  { name: "gi64", type: "i64" },
];

export type Expr =
  | { k: "lit"; v: bigint }
  | { k: "var"; i: number }
  | { k: "glob"; i: number }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "shift"; op: "<<" | ">>"; a: Expr; n: number }
  | { k: "call"; a: Expr; b: Expr }
  | { k: "mapget"; m: "am" | "hm"; key: Expr; dflt: bigint }
  | { k: "arr"; idx: Expr };

export type Cond = { op: string; a: Expr; b: Expr };

export type Stmt =
  | { k: "assign"; i: number; op: "=" | "+=" | "^=" | "|=" | "&="; e: Expr }
  | { k: "gset"; i: number; e: Expr }
  | { k: "if"; c: Cond; t: Stmt[]; f: Stmt[] }
  | { k: "switch"; e: Expr; cases: Stmt[][] }
  | { k: "for"; n: number; body: Stmt[] }
  | { k: "mapset"; m: "am" | "hm"; key: Expr; e: Expr }
  | { k: "lookup"; i: number; key1: Expr; key2: Expr }
  | { k: "arrset"; idx: Expr; e: Expr }
  | { k: "nop"; e: Expr }
  | { k: "emit"; e: Expr; res: Expr };

export interface Prog {
  inits: bigint[]; // global initialisers
  locals: Expr[]; // v0..vN-1 initialisers (each sees the earlier ones)
  body: Stmt[];
}

const NLOCALS = 3;
const lit = fc
  .oneof(
    fc.bigInt({ min: 0n, max: 300n }),
    fc.constantFrom(0xffn, 0xffffn, 0xffffffffn, 0xffffffffffffffffn, 0x8000000000000000n),
  )
  .map((v): Expr => ({ k: "lit", v }));

function exprArb(nvars: number, inLoop: boolean): fc.Arbitrary<Expr> {
  const { e } = fc.letrec<{ e: Expr }>((tie) => {
    const leaf: fc.Arbitrary<Expr>[] = [
      lit,
      fc.integer({ min: 0, max: GLOBALS.length - 1 }).map((i): Expr => ({ k: "glob", i })),
    ];
    if (nvars > 0)
      leaf.push(fc.integer({ min: 0, max: nvars - 1 }).map((i): Expr => ({ k: "var", i })));
    if (inLoop) leaf.push(fc.constant<Expr>({ k: "var", i: -1 })); // the loop counter
    const sub = tie("e") as fc.Arbitrary<Expr>;
    return {
      e: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        ...leaf,
        fc
          .record({ op: fc.constantFrom("+", "-", "*", "&", "|", "^"), a: sub, b: sub })
          .map((r): Expr => ({ k: "bin", ...r })),
        fc
          .record({
            op: fc.constantFrom<"<<" | ">>">("<<", ">>"),
            a: sub,
            n: fc.integer({ min: 0, max: 63 }),
          })
          .map((r): Expr => ({ k: "shift", ...r })),
        fc.record({ a: sub, b: sub }).map((r): Expr => ({ k: "call", ...r })),
        fc
          .record({
            m: fc.constantFrom<"am" | "hm">("am", "hm"),
            key: sub,
            dflt: fc.bigInt({ min: 0n, max: 9n }),
          })
          .map((r): Expr => ({ k: "mapget", ...r })),
        sub.map((idx): Expr => ({ k: "arr", idx })),
      ),
    };
  });
  return e;
}

function stmtsArb(nvars: number, depth: number, inLoop: boolean): fc.Arbitrary<Stmt[]> {
  const e = exprArb(nvars, inLoop);
  const cond = fc.record({ op: fc.constantFrom("<", "<=", ">", ">=", "==", "!="), a: e, b: e });
  const idx = fc.integer({ min: 0, max: nvars - 1 });
  const simple: fc.Arbitrary<Stmt>[] = [
    fc
      .record({
        i: idx,
        op: fc.constantFrom<"=" | "+=" | "^=" | "|=" | "&=">("=", "+=", "^=", "|=", "&="),
        e,
      })
      .map((r): Stmt => ({ k: "assign", ...r })),
    fc
      .record({ i: fc.integer({ min: 0, max: GLOBALS.length - 1 }), e })
      .map((r): Stmt => ({ k: "gset", ...r })),
    fc
      .record({ m: fc.constantFrom<"am" | "hm">("am", "hm"), key: e, e })
      .map((r): Stmt => ({ k: "mapset", ...r })),
    fc.record({ i: idx, key1: e, key2: e }).map((r): Stmt => ({ k: "lookup", ...r })),
    fc.record({ idx: e, e }).map((r): Stmt => ({ k: "arrset", ...r })),
    e.map((x): Stmt => ({ k: "nop", e: x })),
    fc.record({ e, res: e }).map((r): Stmt => ({ k: "emit", ...r })),
  ];
  const all = [...simple];
  if (depth > 0) {
    const inner = stmtsArb(nvars, depth - 1, inLoop);
    all.push(
      fc.record({ c: cond, t: inner, f: inner }).map((r): Stmt => ({ k: "if", ...r })),
      fc
        .record({ e, cases: fc.array(inner, { minLength: 1, maxLength: 3 }) })
        .map((r): Stmt => ({ k: "switch", ...r })),
    );
    if (!inLoop)
      all.push(
        fc
          .record({ n: fc.integer({ min: 1, max: 4 }), body: stmtsArb(nvars, depth - 1, true) })
          .map((r): Stmt => ({ k: "for", ...r })),
      );
  }
  return fc.array(fc.oneof(...all), { minLength: 1, maxLength: 4 });
}

export const progArb: fc.Arbitrary<Prog> = fc.record({
  inits: fc.tuple(...GLOBALS.map(() => fc.bigInt({ min: 0n, max: 100n }))),
  locals: fc.tuple(exprArb(0, false), exprArb(1, false), exprArb(2, false)),
  body: stmtsArb(NLOCALS, 2, false),
});

const conv = (t: string, s: string): string => `${t}(${s})`;

let CQ = ", cq: 1";
function expr(e: Expr): string {
  switch (e.k) {
    case "lit":
      // Through a runtime zero: constant folding of literal-only expressions would report
      // 64-bit overflow (E2016), which is not what these programs test.
      return `(${e.v} ^ z)`;
    case "var":
      return e.i < 0 ? "u64(i)" : `v${e.i}`;
    case "glob":
      return `u64(${GLOBALS[e.i]!.name})`;
    case "bin":
      return `(${expr(e.a)} ${e.op} ${expr(e.b)})`;
    case "shift":
      return `(${expr(e.a)} ${e.op} ${e.n})`;
    case "call":
      return `mix(${expr(e.a)}, ${expr(e.b)})`;
    case "mapget":
      return e.m === "am"
        ? `(am.get(u32(${expr(e.key)} & 7)) ?? ${e.dflt})`
        : `(hm.get(${expr(e.key)} & 15) ?? ${e.dflt})`;
    case "arr":
      return `u64(arr[u32(${expr(e.idx)} & 3)])`;
  }
}

function stmts(ss: Stmt[], ind: string, out: string[], depth = 0): void {
  for (const s of ss) stmt(s, ind, out, depth);
}

function stmt(s: Stmt, ind: string, out: string[], depth: number): void {
  switch (s.k) {
    case "assign":
      out.push(`${ind}v${s.i} ${s.op} ${expr(s.e)};`);
      return;
    case "gset": {
      const g = GLOBALS[s.i]!;
      out.push(`${ind}${g.name} = ${conv(g.type, expr(s.e))};`);
      return;
    }
    case "if":
      out.push(`${ind}if (${expr(s.c.a)} ${s.c.op} ${expr(s.c.b)}) {`);
      stmts(s.t, ind + "  ", out, depth);
      out.push(`${ind}} else {`);
      stmts(s.f, ind + "  ", out, depth);
      out.push(`${ind}}`);
      return;
    case "switch":
      out.push(`${ind}switch (${expr(s.e)} & 3) {`);
      s.cases.forEach((c, n) => {
        out.push(n === s.cases.length - 1 ? `${ind}  default: {` : `${ind}  case ${n}: {`);
        stmts(c, ind + "    ", out, depth);
        out.push(`${ind}    break;`, `${ind}  }`);
      });
      out.push(`${ind}}`);
      return;
    case "for":
      out.push(`${ind}for (let i = 0; i < ${s.n}; i++) {`);
      out.push(`${ind}  arr[i & 3] = u32(v0 + u64(i));`);
      stmts(s.body, ind + "  ", out, depth);
      out.push(`${ind}}`);
      return;
    case "mapset":
      out.push(
        s.m === "am"
          ? `${ind}am.set(u32(${expr(s.key)} & 7), ${expr(s.e)});`
          : `${ind}hm.set(${expr(s.key)} & 15, ${expr(s.e)});`,
      );
      return;
    case "lookup":
      out.push(`${ind}{`);
      out.push(`${ind}  let s = hm.get(${expr(s.key1)} & 15);`);
      out.push(`${ind}  if (s !== null) v${s.i} += s;`);
      out.push(`${ind}  s = hm.get(${expr(s.key2)} & 15);`);
      out.push(`${ind}  if (s === null) v${s.i} ^= 1; else v${s.i} += s * 3;`);
      out.push(`${ind}}`);
      return;
    case "arrset":
      out.push(`${ind}arr[u32(${expr(s.idx)} & 3)] = u32(${expr(s.e)});`);
      return;
    case "nop":
      out.push(`${ind}if (submit.nop({ userData: ${expr(s.e)} })) queued++;`);
      return;
    case "emit":
      out.push(`${ind}emit({ userData: ${expr(s.e)}, res: i32(${expr(s.res)} & 0xffff)${CQ} });`);
      return;
  }
}

/** The source text of a generated program. */
export function render(p: Prog, target = "iouring-v2"): string {
  // linux-7.1 has one completion queue (emit has no cq); iouring-v2 emits to CQ 1, not the
  // CQ 0 the program reaps.
  CQ = target === "linux-7.1" ? "" : ", cq: 1";
  const out: string[] = [
    `import { Cqe, ArrayMap, HashMap, FixedArray, submit, emit, stop, u8, u16, u32, u64, i32, i64 } from "ioubpf/lang";`,
    `const am = new ArrayMap<u32, u64>(8);`,
    `const hm = new HashMap<u64, u64>(16);`,
    ...GLOBALS.map((g, n) => `let ${g.name}: ${g.type} = ${p.inits[n]};`),
    `let queued: u32 = 0;`,
    `let done: u32 = 0;`,
    `function mix(a: u64, b: u64): u64 {`,
    `  let r: u64 = a ^ (b << 7);`,
    `  if (a > b) r += a - b; else r |= b >> 3;`,
    `  return r;`,
    `}`,
    `export function onStart(): void {`,
    `  const z: u64 = u64(g8) & 0;`,
    `  let arr!: FixedArray<u32, 4>;`,
    `  for (let i = 0; i < 4; i++) arr[i] = 0;`,
  ];
  p.locals.forEach((e, n) => out.push(`  let v${n}: u64 = ${expr(e)};`));
  stmts(p.body, "  ", out);
  out.push(`  am.set(0, v0 ^ v1 ^ v2);`);
  out.push(`  g64 = v0 + v1 + v2 + u64(arr[0]) + u64(arr[3]);`);
  out.push(`  if (queued == 0) stop();`);
  out.push(`}`);
  out.push(`export function onCompletion(cqe: Cqe): void {`);
  out.push(`  done++;`);
  out.push(`  hm.set(cqe.userData & 15, u64(done));`);
  out.push(`  if (done >= queued) stop();`);
  out.push(`}`);
  return out.join("\n") + "\n";
}
