// Front-end speed: parse + check of generated valid programs of about 1k, 10k and 100k lines,
// reporting time per line. Target: 10k lines in under 1 s, and linear growth (per-line time
// roughly flat). Exits 1 if a generated program does not check clean (the numbers would mean
// nothing) or if the 10k-line program misses the target.
import { performance } from "node:perf_hooks";
import { SourceFile } from "../src/diagnostics/index.js";
import { parse } from "../src/parser/index.js";
import { check } from "../src/check/index.js";

/** A valid program of at least `lines` lines: structs, maps, consts, helpers, loops, submits. */
export function generateProgram(lines: number): string {
  const out: string[] = [
    `import { Cqe, submit, emit, trace, u8, u16, u32, u64, i32, ArrayMap, HashMap, FixedArray } from "ioubpf/lang";`,
    `const BLOCK = 4096;`,
    `const enum Tag { Read = 1, Write = 2 }`,
    `interface Stats { count: u64; last: i32; hist: FixedArray<u32, 8>; }`,
    `declare const FD: i32;`,
    `declare const BUF: u64;`,
    `let total: u64 = 0;`,
    `const stats = new ArrayMap<u32, Stats>(16);`,
    `const seen = new HashMap<u64, u32>(1024);`,
  ];
  let i = 0;
  // Each helper is 16 lines; helper i calls helper i-1, so the call graph is a chain.
  while (out.length + 20 < lines) {
    out.push(
      `function step${i}(x: u32, y: u64): u64 {`,
      `  let acc: u64 = y + u64(x) * ${(i % 7) + 1};`,
      `  for (let k: u32 = 0; k < 8; k++) {`,
      `    acc = (acc << 1) ^ u64(k + x);`,
      `  }`,
      `  const s = stats.get(x & 15);`,
      `  if (s === null) return acc;`,
      `  s.count += 1;`,
      `  s.hist[${i % 8}] = u32(acc & 0xffff);`,
      `  if (acc > ${1000 + i}) {`,
      `    submit.read({ fd: FD, addr: BUF, len: BLOCK, off: acc, userData: Tag.Read });`,
      `  }`,
      i > 0 ? `  return step${i - 1}(x + 1, acc) + total;` : `  return acc + total;`,
      `}`,
      ``,
      ``,
    );
    i++;
  }
  out.push(
    `export function onCompletion(cqe: Cqe): void {`,
    `  if (cqe.res < 0) { emit({ userData: cqe.userData, res: cqe.res }); return; }`,
    `  total += ${i > 0 ? `step${i - 1}(u32(cqe.res), cqe.userData)` : "1"};`,
    `  seen.set(cqe.userData, u32(cqe.res));`,
    `}`,
  );
  return out.join("\n") + "\n";
}

function measure(lines: number, reps: number): { lines: number; parseMs: number; checkMs: number } {
  const text = generateProgram(lines);
  const src = new SourceFile(`gen${lines}.bpf.ts`, text);
  let parseMs = Infinity;
  let checkMs = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const parsed = parse(src);
    const t1 = performance.now();
    if (!parsed.program)
      throw new Error(`generated program does not parse: ${parsed.diagnostics[0]?.message}`);
    const checked = check(parsed.program);
    const t2 = performance.now();
    const errors = checked.diagnostics.filter((d) => d.severity === "error");
    if (errors.length)
      throw new Error(`generated program does not check: ${errors[0]!.code} ${errors[0]!.message}`);
    parseMs = Math.min(parseMs, t1 - t0);
    checkMs = Math.min(checkMs, t2 - t1);
  }
  return { lines: src.lineCount, parseMs, checkMs };
}

const isMain = process.argv[1]?.endsWith("frontend.ts");
if (isMain) {
  let failed = false;
  measure(1000, 2); // warm-up
  for (const [n, reps] of [
    [1000, 5],
    [10000, 3],
    [100000, 1],
  ] as const) {
    const m = measure(n, reps);
    const total = m.parseMs + m.checkMs;
    const perLine = (total / m.lines) * 1000;
    console.log(
      `${String(m.lines).padStart(7)} lines: parse ${m.parseMs.toFixed(1).padStart(8)} ms, check ${m.checkMs.toFixed(1).padStart(8)} ms, total ${total.toFixed(1).padStart(8)} ms = ${perLine.toFixed(2)} µs/line`,
    );
    if (n === 10000 && total > 1000) {
      console.log("  10k lines took more than 1 s: target missed");
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
