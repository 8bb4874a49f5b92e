// Parser speed: lex + parse + CST→AST of generated valid programs of about 1k, 10k and 100k
// lines, reporting time per line. Growth should be linear (per-line time roughly flat).
// Exits 1 if a generated program does not parse clean (the numbers would mean nothing).
// `node --import tsx bench/parse.ts [lines…]`
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { SourceFile } from "../src/diagnostics/index.js";
import { parse } from "../src/parser/index.js";

/** A valid program of at least `lines` lines using most statement and expression forms. */
export function generateParseProgram(lines: number): string {
  const out: string[] = [
    `import { Cqe, submit, emit, u8, u32, u64, i32, ArrayMap, FixedArray } from "ioubpf/lang";`,
    `const BLOCK = 4096;`,
    `const enum Tag { Read = 1, Write = 2 }`,
    `interface Stats { count: u64; last: i32; hist: FixedArray<u32, 8>; }`,
    `declare const FD: i32;`,
    `let total: u64 = 0;`,
    `const stats = new ArrayMap<u32, Stats>(16);`,
  ];
  let i = 0;
  while (out.length + 12 < lines) {
    out.push(
      `function step${i}(x: u32, y: u64): u64 {`,
      `  let acc: u64 = y + u64(x) * ${(i % 7) + 1};`,
      `  for (let k: u32 = 0; k < 8; k++) {`,
      `    acc = (acc << 1) ^ u64(k + x) >>> 3;`,
      `    if (acc > 1000 && k != 3) { acc -= 1; } else { acc |= 0x10; }`,
      `  }`,
      `  switch (x & 3) {`,
      `    case 0: acc += 1; break;`,
      `    default: acc = acc > 5 ? acc : 5;`,
      `  }`,
      `  return acc;`,
      `}`,
    );
    i++;
  }
  out.push(
    `export function onCompletion(cqe: Cqe): void {`,
    `  const s = stats.get(0);`,
    `  if (s !== null) { s.count += 1; s.last = cqe.res; }`,
    `  total = step0(u32(cqe.res), total);`,
    `  submit.read({ fd: FD, addr: 0, len: BLOCK, off: total, userData: Tag.Read });`,
    `}`,
  );
  return out.join("\n") + "\n";
}

function measure(lines: number): { lines: number; ms: number } {
  const text = generateParseProgram(lines);
  const source = new SourceFile(`bench${lines}.bpf.ts`, text);
  const t0 = performance.now();
  const r = parse(source);
  const ms = performance.now() - t0;
  if (!r.program) {
    console.error(r.diagnostics.slice(0, 5));
    throw new Error(`generated ${lines}-line program did not parse`);
  }
  return { lines: source.lineCount, ms };
}

function main(): void {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  // Warm up: the first parse pays for chevrotain's grammar analysis and the JIT.
  measure(200);
  console.log("lines      total ms   µs/line");
  for (const n of sizes.length ? sizes : [1_000, 10_000, 100_000]) {
    const { lines, ms } = measure(n);
    console.log(
      `${String(lines).padStart(7)}  ${ms.toFixed(1).padStart(10)}  ${((ms * 1000) / lines).toFixed(1).padStart(8)}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
