// The compile benchmark against clang (docs/bench.md): every example program is compiled by our
// CLI and its C version in bench/c/ by clang-19, and one table compares, per program,
// instruction slots, the kernel verifier's processed instructions and compile wall time.
// Targets: our slots never above clang's, geometric mean of the ratios ≤ 0.85. A missed target
// prints "target missed" lines but is not a failure: only a crash exits non-zero.
// Run: node --import tsx bench/compile.ts [--no-build] [--runs=N]
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../src/codegen/index.js";
import { readElf } from "../src/elf/index.js";
import { SHF, SHT, type ObjFile } from "../src/elf/types.js";
import { kernelVerify, type KernelVerifyResult } from "../src/kernel/index.js";
import { sameBehaviour } from "./_same.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, "bench", ".out");
const TARGET = "iouring-v2";
/** Timed runs per compiler and program (`--runs=N` to change; the median is reported). */
const RUNS = Number(
  /^--runs=(\d+)$/.exec(process.argv.find((a) => a.startsWith("--runs=")) ?? "")?.[1] ?? 5,
);
const GOAL = 0.85;

const rel = (p: string): string => relative(process.cwd(), p) || ".";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function geomean(xs: number[]): number | undefined {
  return xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : undefined;
}

/** Runs `cmd` once; its wall time in ms (process start to exit, as a user sees it). */
function timed(cmd: string, args: string[]): { ms: number; ok: boolean; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, ok: r.status === 0, stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

/** Instruction slots in every code section (program sections and `.text`); ld_imm64 is 2. */
function slots(obj: ObjFile): number {
  return obj.sections
    .filter((s) => s.type === SHT.PROGBITS && s.flags & SHF.EXECINSTR)
    .reduce((n, s) => n + s.data.length / 8, 0);
}

function readObject(path: string): ObjFile {
  const r = readElf(new Uint8Array(readFileSync(path)), path);
  if (!r.object) throw new Error(`${path}: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.object;
}

// ---- the compilers ----------------------------------------------------------------------------

function clangAvailable(): string | undefined {
  const r = spawnSync("clang-19", ["--version"], { encoding: "utf8" });
  return r.status === 0 ? undefined : "clang-19 is not installed (or not on PATH)";
}

const arch = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout?.trim() || "x86_64";
const clangArgs = (src: string, obj: string, extra: string[] = []): string[] => [
  "-O2",
  "-g",
  "-target",
  "bpf",
  "-mcpu=v3",
  `-I/usr/include/${arch}-linux-gnu`,
  ...extra,
  "-c",
  src,
  "-o",
  obj,
];

/**
 * Our CLI as a user runs it: compiled JavaScript (`npm run build`'s output), so the timing is not
 * tsx's transpiling. Built fresh under node_modules/.cache (ignored by git, lint and prettier,
 * and node_modules resolves from there); falls back to tsx if the build fails.
 */
function ourCli(): { cmd: string; prefix: string[]; note: string } {
  const dist = join(root, "node_modules", ".cache", "ioubpf-bench", "dist");
  const js = join(dist, "cli", "ioubpf.js");
  if (!process.argv.includes("--no-build") || !existsSync(js)) {
    rmSync(dist, { recursive: true, force: true }); // never time a stale build
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    // Type errors elsewhere in the tree do not stop tsc from emitting; only a missing file does.
    spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", dist], {
      cwd: root,
      encoding: "utf8",
    });
  }
  if (existsSync(js))
    return { cmd: process.execPath, prefix: [js], note: `node ${rel(js)} (built by tsc)` };
  return {
    cmd: process.execPath,
    prefix: ["--import", "tsx", join(root, "cli", "ioubpf.ts")],
    note: "node --import tsx cli/ioubpf.ts (the tsc build failed; times include transpiling)",
  };
}

// ---- the programs -----------------------------------------------------------------------------

interface Program {
  /** The example's base name (`nop-pump`), which names its C version too. */
  base: string;
  src: string;
  c: string;
}

function programs(): Program[] {
  const ex = join(root, "examples");
  const list: Program[] = [];
  for (const d of readdirSync(ex, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    // The iouring-v2 forms (bench/c holds their C versions; the host kernel loads them).
    const v2 = join(ex, d.name, "v2");
    for (const f of readdirSync(v2).filter((f) => f.endsWith(".bpf.ts"))) {
      const base = basename(f, ".bpf.ts");
      list.push({ base, src: join(v2, f), c: join(root, "bench", "c", `${base}.bpf.c`) });
    }
  }
  return list.sort((a, b) => a.base.localeCompare(b.base));
}

interface Side {
  obj?: ObjFile;
  slots?: number;
  lenient?: KernelVerifyResult;
  strict?: KernelVerifyResult;
  ms?: number;
  error?: string;
}

interface Row {
  name: string;
  ours: Side;
  clang: Side;
  /** clang with -fno-unroll-loops: a reference for how much of clang's size is unrolling. */
  clangNoUnroll?: number;
  /** Our compile() called in this process (no process start): median ms. */
  libMs?: number;
}

async function kernel(obj: ObjFile, file: string): Promise<Pick<Side, "lenient" | "strict">> {
  // Same program, same shims, both modes: processed counts compare only within one mode.
  const lenient = await kernelVerify(obj, { target: TARGET, strict: false, file });
  const strict = await kernelVerify(obj, { target: TARGET, strict: true, file });
  return { lenient, strict };
}

async function measure(
  p: Program,
  cli: { cmd: string; prefix: string[] },
  clangMissing?: string,
): Promise<Row> {
  const row: Row = { name: p.base, ours: {}, clang: {} };

  // Ours: the CLI's object is the one measured; compile() in-process gives the library time.
  const oursObj = join(out, `${p.base}.ours.o`);
  const oursArgs = [
    ...cli.prefix,
    "compile",
    p.src,
    "-o",
    oursObj,
    "--target",
    TARGET,
    "-O2",
    "--mcpu",
    "v3",
    "-g",
    // Compile only, as clang does: the bytecode verifier is a separate step (`ioubpf verify`).
    "--no-verify",
  ];
  const first = timed(cli.cmd, oursArgs);
  if (!first.ok)
    row.ours.error = `ioubpf compile failed: ${first.stderr.trim().split("\n").slice(0, 3).join(" / ")}`;
  else {
    const obj = readObject(oursObj);
    row.ours.obj = obj;
    row.ours.slots = slots(obj);
    Object.assign(row.ours, await kernel(obj, oursObj));
    row.ours.ms = median(Array.from({ length: RUNS }, () => timed(cli.cmd, oursArgs).ms));
    const text = readFileSync(p.src, "utf8");
    const lib: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = process.hrtime.bigint();
      compile({ path: p.src, text }, { target: TARGET, mcpu: "v3", opt: 2, debug: true });
      if (i > 0) lib.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first warms the JIT
    }
    row.libMs = median(lib);
  }

  // clang's.
  if (clangMissing) row.clang.error = clangMissing;
  else if (!existsSync(p.c)) row.clang.error = `no C version (${rel(p.c)})`;
  else {
    const clangObj = join(out, `${p.base}.clang.o`);
    const args = clangArgs(p.c, clangObj);
    const r = timed("clang-19", args);
    if (!r.ok)
      row.clang.error = `clang-19 failed: ${r.stderr.trim().split("\n").slice(0, 3).join(" / ")}`;
    else {
      const obj = readObject(clangObj);
      row.clang.obj = obj;
      row.clang.slots = slots(obj);
      Object.assign(row.clang, await kernel(obj, clangObj));
      row.clang.ms = median(Array.from({ length: RUNS }, () => timed("clang-19", args).ms));
      const nu = join(out, `${p.base}.clang-nounroll.o`);
      if (timed("clang-19", clangArgs(p.c, nu, ["-fno-unroll-loops"])).ok)
        row.clangNoUnroll = slots(readObject(nu));
    }
  }
  return row;
}

// ---- the report -------------------------------------------------------------------------------

const processed = (v?: KernelVerifyResult): number | undefined =>
  v?.verdict === "accept" ? v.processedInsns : undefined;

function ratio(a?: number, b?: number): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

const fmt = (x: number | undefined, digits = 0): string =>
  x === undefined ? "n/a" : x.toFixed(digits);

function verdictText(v?: KernelVerifyResult): string {
  if (!v) return "n/a";
  if (v.verdict === "accept") return `accept ${v.processedInsns ?? "?"}`;
  // The complexity limit's line is not the log's last one; name it rather than the stats after.
  const why = /BPF program is too large[^\n]*/.exec(v.log)?.[0] ?? v.reason ?? "";
  if (v.verdict === "reject") return `reject: ${why.slice(0, 48)}`;
  return "n/a";
}

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(" | ");
  return [line(head), w.map((n) => "-".repeat(n)).join("-|-"), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const clangMissing = clangAvailable();
  const cli = ourCli();
  console.log(`ours:  ${cli.note} compile --target ${TARGET} -O2 --mcpu v3 -g --no-verify`);
  console.log(
    `clang: ${clangMissing ?? `clang-19 ${clangArgs("<prog>.bpf.c", "<prog>.o").join(" ")}`}`,
  );
  console.log(`compile times: wall clock of the spawned process, median of ${RUNS} runs`);

  const rows: Row[] = [];
  for (const p of programs()) rows.push(await measure(p, cli, clangMissing));

  const kr = (r: Row): [number | undefined, number | undefined] => [
    processed(r.ours.lenient),
    processed(r.clang.lenient),
  ];
  const body = rows.map((r) => {
    const [ko, kc] = kr(r);
    return [
      r.name,
      fmt(r.ours.slots),
      fmt(r.clang.slots),
      fmt(ratio(r.ours.slots, r.clang.slots), 2),
      fmt(ko),
      fmt(kc),
      fmt(ratio(ko, kc), 2),
      fmt(r.ours.ms, 1),
      fmt(r.clang.ms, 1),
      fmt(ratio(r.ours.ms, r.clang.ms), 2),
    ];
  });
  const gSlots = geomean(
    rows.map((r) => ratio(r.ours.slots, r.clang.slots)).filter((x) => x !== undefined),
  );
  const gKernel = geomean(rows.map((r) => ratio(...kr(r))).filter((x) => x !== undefined));
  const gMs = geomean(rows.map((r) => ratio(r.ours.ms, r.clang.ms)).filter((x) => x !== undefined));
  body.push(["geomean", "", "", fmt(gSlots, 2), "", "", fmt(gKernel, 2), "", "", fmt(gMs, 2)]);
  console.log("");
  console.log(
    table(
      [
        "program",
        "slots ours",
        "clang",
        "ratio",
        "kernel insns ours",
        "clang",
        "ratio",
        "compile ms ours",
        "clang",
        "ratio",
      ],
      body,
    ),
  );
  console.log(
    '(kernel insns: "processed N insns" from the kernel oracle in lenient mode, shims included)',
  );

  // Strict mode: the verdicts differ between the two compilers' outputs, so they are listed.
  const same: string[] = [];
  for (const r of rows)
    same.push(r.ours.obj && r.clang.obj ? await sameBehaviour(r.ours.obj, r.clang.obj) : "n/a");
  console.log(
    "\nchecks: same behaviour on scripted kernel runs; strict-mode verdicts (CAP_BPF without CAP_SYS_ADMIN/CAP_PERFMON):",
  );
  console.log(
    table(
      ["program", "behaviour ours vs clang", "strict ours", "strict clang"],
      rows.map((r, i) => [
        r.name,
        same[i]!,
        verdictText(r.ours.strict),
        verdictText(r.clang.strict),
      ]),
    ),
  );

  console.log("\nreference (not targets):");
  console.log(
    table(
      ["program", "slots clang -fno-unroll-loops", "ours/that", "compile() in-process ms"],
      rows.map((r) => [
        r.name,
        fmt(r.clangNoUnroll),
        fmt(ratio(r.ours.slots, r.clangNoUnroll), 2),
        fmt(r.libMs, 2),
      ]),
    ),
  );

  const notes: string[] = [];
  for (const r of rows) {
    if (r.ours.error) notes.push(`${r.name}: ours: ${r.ours.error}`);
    if (r.clang.error) notes.push(`${r.name}: clang: ${r.clang.error}`);
    for (const [who, s] of [
      ["ours", r.ours],
      ["clang", r.clang],
    ] as const) {
      const v = s.lenient;
      // One line per distinct reason: when the oracle cannot run, it is the same everywhere.
      const na = `kernel oracle n/a: ${v?.reason}`;
      if (v && v.verdict === "unavailable" && !notes.includes(na)) notes.push(na);
      if (v && v.verdict === "reject")
        notes.push(`${r.name}: ${who}: kernel rejected (lenient): ${v.reason}`);
    }
  }
  if (notes.length) console.log("\n" + notes.join("\n"));

  // The same figures for tools (docs/bench.md is updated from them).
  const json = rows.map((r, i) => ({
    program: r.name,
    slots: {
      ours: r.ours.slots ?? null,
      clang: r.clang.slots ?? null,
      clangNoUnroll: r.clangNoUnroll ?? null,
    },
    kernelLenient: {
      ours: processed(r.ours.lenient) ?? null,
      clang: processed(r.clang.lenient) ?? null,
    },
    kernelStrict: { ours: verdictText(r.ours.strict), clang: verdictText(r.clang.strict) },
    compileMs: {
      ours: r.ours.ms ?? null,
      clang: r.clang.ms ?? null,
      oursInProcess: r.libMs ?? null,
    },
    behaviour: same[i],
  }));
  writeFileSync(
    join(out, "compile.json"),
    JSON.stringify(
      {
        runs: RUNS,
        geomean: { slots: gSlots ?? null, kernel: gKernel ?? null, compileMs: gMs ?? null },
        rows: json,
      },
      null,
      2,
    ) + "\n",
  );

  const missed: string[] = [];
  for (const r of rows) {
    if (r.ours.slots !== undefined && r.clang.slots !== undefined && r.ours.slots > r.clang.slots)
      missed.push(`target missed: ${r.name}: ${r.ours.slots} slots > clang's ${r.clang.slots}`);
  }
  if (gSlots !== undefined && gSlots > GOAL)
    missed.push(`target missed: geometric mean slot ratio ${gSlots.toFixed(2)} > ${GOAL}`);
  console.log("");
  console.log(
    missed.length
      ? missed.join("\n")
      : `targets met: no program larger than clang's; geomean ≤ ${GOAL}`,
  );
}

await main();
