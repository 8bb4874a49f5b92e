// Scaling benchmark (issue 16, "Superlinear costs"): time and peak memory against input size
// for compile (with -O2), our verifier, and the VM. Each measurement runs in its own process
// (peak RSS is per process). Run: `npm run bench -- scaling` or
// `node --import tsx bench/scaling.ts [case …]` (cases: lines-1k lines-10k lines-100k
// submits-1k submits-10k cqes-10k cqes-100k programs-1k programs-10k). Near-linear means the time per unit stays
// within a small factor from the smallest to the largest size.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { assemble } from "../src/asm/index.js";
import { compile } from "../src/codegen/index.js";
import { readElf } from "../src/elf/reader.js";
import { writeElf } from "../src/elf/writer.js";
import { verifyObject } from "../src/verifier/index.js";
import { defaultScenario } from "../src/vm/scenario.js";
import { simulate } from "../src/vm/simulate.js";

/** `n` lines of straight-line arithmetic in onStart (no loops, no branches). */
export function straightLine(n: number): string {
  const out = [
    "// target: iouring-v2",
    'import { Cqe, u64 } from "ioubpf/lang";',
    "let a: u64 = 1;",
    "let b: u64 = 2;",
    "export function onStart(): void {",
    "  let x: u64 = b;",
  ];
  for (let i = 0; i < n; i++)
    out.push(
      i % 3 === 0
        ? `  x = x * ${(i % 13) + 3} + a;`
        : i % 3 === 1
          ? `  a = a ^ (x >> ${(i % 7) + 1});`
          : `  b = b + x + ${i};`,
    );
  out.push(
    "  a = a + x;",
    "}",
    "export function onCompletion(cqe: Cqe): void {",
    "  b = cqe.userData;",
    "}",
  );
  return out.join("\n") + "\n";
}

/** `n` NOP submissions on one path in onStart. */
export function submits(n: number): string {
  const out = [
    "// target: iouring-v2",
    'import { Cqe, submit, u64 } from "ioubpf/lang";',
    "let done: u64 = 0;",
    "export function onStart(): void {",
  ];
  for (let i = 0; i < n; i++) out.push(`  submit.nop({ userData: ${i} });`);
  out.push("}", "export function onCompletion(cqe: Cqe): void {", "  done++;", "}");
  return out.join("\n") + "\n";
}

/** Assembly of an object with `n` program sections, each reading a `.data` global. */
export function manyPrograms(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      `\t.section "iouring.s/p${i}","ax"`,
      `\t.globl p${i}`,
      `\t.type p${i},@function`,
      `p${i}:`,
      `\tr1 = g${i % 50} ll`,
      `\tr0 = *(u64 *)(r1 + 0)`,
      `\tr0 = 0`,
      `\texit`,
      `.Le${i}:`,
      `\t.size p${i}, .Le${i}-p${i}`,
    );
  out.push(`\t.section .data,"aw"`);
  for (let i = 0; i < 50; i++) out.push(`\t.globl g${i}`, `g${i}:`, `\t.quad 0`);
  out.push(`\t.section "license","aw"`, `\t.asciz "GPL"`);
  return out.join("\n") + "\n";
}

interface Row {
  name: string;
  units: number;
  ms: Record<string, number>;
  peakMb: number;
  note?: string;
}

function runCase(name: string): Row {
  const [kind, size] = name.split("-") as [string, string];
  const units = Number(size.replace("k", "")) * 1000;
  const ms: Record<string, number> = {};
  let note: string | undefined;
  if (kind === "lines" || kind === "submits") {
    const text = kind === "lines" ? straightLine(units) : submits(units);
    let t = performance.now();
    const c = compile({ path: `${name}.bpf.ts`, text }, { target: "iouring-v2", opt: 2 });
    ms.compile = performance.now() - t;
    if (!c.object) {
      note = `not compiled: ${c.diagnostics[0]?.code} ${c.diagnostics[0]?.message}`;
      const hwm0 = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
      return { name, units, ms, peakMb: hwm0 ? Number(hwm0[1]) / 1024 : Number.NaN, note };
    }
    t = performance.now();
    const r = verifyObject(c.object, { target: "iouring-v2" });
    ms.verify = performance.now() - t;
    const p = r.stats.programs[0]!;
    note = `${p.insns} insns, ${p.insnsProcessed} processed, ${r.ok ? "accepted" : `rejected: ${r.diagnostics[0]?.code}`}`;
  } else if (kind === "cqes") {
    // examples/nop-pump with TOTAL = units: one CQE per NOP, 8 in flight
    const text = readFileSync("examples/nop-pump/nop-pump.bpf.ts", "utf8").replace(
      /const TOTAL = \d+;/,
      `const TOTAL = ${units};`,
    );
    const c = compile({ path: "nop-pump.bpf.ts", text }, { target: "iouring-v2", opt: 2 });
    if (!c.object) throw new Error(`${name}: ${c.diagnostics[0]?.message}`);
    const t = performance.now();
    // The default limits (10,000 runs, 10 M instructions, 200,000 trace events) would stop a
    // large case early; here the simulation runs all N completions and keeps the whole trace.
    const scenario = defaultScenario();
    scenario.limits = { ...scenario.limits, runs: 1e7, insns: 1e10, events: 1e8 };
    const r = simulate(c.object, scenario, { target: "iouring-v2" });
    ms.run = performance.now() - t;
    note = `${r.stats.runs} runs, ${r.events.length} events, ${r.diagnostics.length} diagnostics`;
  } else if (kind === "programs") {
    // `ioubpf verify` of an object with many program sections (read the ELF, verify all)
    const a = assemble(manyPrograms(units), `${name}.s`);
    if (!a.object) throw new Error(`${name}: ${a.diagnostics[0]?.message}`);
    const bytes = writeElf(a.object);
    let t = performance.now();
    const read = readElf(bytes, `${name}.o`);
    ms.read = performance.now() - t;
    if (!read.object) throw new Error(`${name}: ${read.diagnostics[0]?.message}`);
    t = performance.now();
    const r = verifyObject(read.object, { target: "iouring-v2" });
    ms.verify = performance.now() - t;
    note = `${r.stats.programs.filter((p) => p.verdict === "accept").length} of ${r.stats.programs.length} programs accepted`;
  }
  const status = readFileSync("/proc/self/status", "utf8");
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return {
    name,
    units,
    ms,
    peakMb: hwm ? Number(hwm[1]) / 1024 : Number.NaN,
    ...(note ? { note } : {}),
  };
}

export const CASES = [
  "lines-1k",
  "lines-10k",
  "lines-100k",
  "submits-1k",
  "submits-10k",
  "cqes-10k",
  "cqes-100k",
  "programs-1k",
  "programs-10k",
];

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--child") {
  process.stdout.write(JSON.stringify(runCase(process.argv[3]!)) + "\n");
  process.exit(0);
}
const main = process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== "--child";
const wanted = main ? process.argv.slice(2) : [];
const rows: Row[] = [];
for (const name of main ? (wanted.length ? wanted : CASES) : []) {
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--child", name],
    {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    },
  );
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    rows.push(JSON.parse(line) as Row);
  } catch {
    console.log(`${name}: failed (${r.status ?? r.signal}) ${r.stderr.slice(-400)}`);
  }
}
if (main) console.log("| case | time (ms) | per unit (µs) | peak RSS (MB) | note |");
if (main) console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  const total = Object.values(r.ms).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const parts = Object.entries(r.ms)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(", ");
  console.log(
    `| ${r.name} | ${total.toFixed(0)} (${parts}) | ${((total / r.units) * 1000).toFixed(1)} | ${r.peakMb.toFixed(0)} | ${r.note ?? ""} |`,
  );
}
