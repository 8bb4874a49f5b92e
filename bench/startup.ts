// Start-up benchmark (docs/plugins.md, "Start-up"). Prints, as whole-process wall times taken
// in pairs (A, B, A, B, …; the ratio is taken pair by pair, so drifting machine load cancels):
//   - `ioubpf compile <example>` / `node -e 0` for every example (bar: median ≤ 2),
//   - `ioubpf --version` / `node -e 0` (bar: ≤ 1.2) and `ioubpf check` / `node -e 0`,
//   - `ioubpf compile` / `clang-19 -c` of the same logic (bench/c),
// then the in-process compile time per example (µs, warm, with and without verification) and
// 50 programs in one `--out-dir` invocation against 50 `clang-19 -c` runs.
// Run: npm run bench -- startup   [--no-build] [--runs=N]
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "../src/compile.js";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, "dist", "bundle", "ioubpf");
const out = join(root, "bench", ".out", "startup");
const RUNS = Number(
  /^--runs=(\d+)$/.exec(process.argv.find((a) => a.startsWith("--runs=")) ?? "")?.[1] ?? 11,
);
const TARGET = ["--target", "iouring-v2"];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// The child's own CPU time (user + system, from wait4's rusage) and wall time, measured by a
// few lines of Python around fork/exec/wait4: CPU time does not grow when other processes
// share the machine, where wall time does. Without python3, CPU is reported as wall.
const PY = `
import os, sys, time
t = time.monotonic()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)
    os.execvp(sys.argv[1], sys.argv[1:])
_, st, ru = os.wait4(pid, 0)
print(time.monotonic() - t, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(st))
`;
const python = spawnSync("python3", ["-c", "0"]).status === 0;

interface Run {
  wall: number;
  cpu: number;
}

/** One run in ms; throws when the command fails (a failed run must not count). */
function timed(cmd: string, args: string[]): Run {
  if (python) {
    const r = spawnSync("python3", ["-c", PY, cmd, ...args], { cwd: root, encoding: "utf8" });
    const [wall, cpu, code] = r.stdout.trim().split(" ").map(Number);
    if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${code}): ${r.stderr}`);
    return { wall: wall! * 1e3, cpu: cpu! * 1e3 };
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { wall: ms, cpu: ms };
}

interface Pair {
  a: Run;
  b: Run;
  /** Median of the per-pair ratios A/B. */
  wall: number;
  cpu: number;
}

/** A and B alternately, after one warm-up each: medians and the median pair ratios. */
function paired(a: [string, string[]], b: [string, string[]]): Pair {
  timed(...a);
  timed(...b);
  const as: Run[] = [];
  const bs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(timed(...a));
    bs.push(timed(...b));
  }
  const med = (rs: Run[]): Run => ({
    wall: median(rs.map((r) => r.wall)),
    cpu: median(rs.map((r) => r.cpu)),
  });
  return {
    a: med(as),
    b: med(bs),
    wall: median(as.map((x, i) => x.wall / bs[i]!.wall)),
    cpu: median(as.map((x, i) => x.cpu / bs[i]!.cpu)),
  };
}

const fmt = (ms: number): string => `${ms.toFixed(1).padStart(7)} ms`;
const row = (label: string, r: Pair, bar?: number): void =>
  console.log(
    `${label.padEnd(42)} ${fmt(r.a.cpu)} ${fmt(r.b.cpu)} ${r.cpu.toFixed(2).padStart(6)}  ` +
      `${fmt(r.a.wall)} ${fmt(r.b.wall)} ${r.wall.toFixed(2).padStart(6)}` +
      (bar !== undefined
        ? `  bar ≤ ${bar}: ${r.cpu <= bar ? "met" : "MISSED"} (cpu), ${r.wall <= bar ? "met" : "MISSED"} (wall)`
        : ""),
  );

if (!process.argv.includes("--no-build") || !existsSync(bin)) {
  const r = spawnSync(process.execPath, [join(root, "scripts", "bundle.mjs")], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const examples = readdirSync(join(root, "examples"))
  .flatMap((d) =>
    readdirSync(join(root, "examples", d))
      .filter((f) => f.endsWith(".bpf.ts"))
      .map((f) => `examples/${d}/${f}`),
  )
  .sort();
const node: [string, string[]] = [process.execPath, ["-e", "0"]];
const clang = spawnSync("clang-19", ["--version"]).status === 0;
const arch = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout?.trim() || "x86_64";
const clangArgs = (src: string, obj: string): string[] => [
  "-O2",
  "-g",
  "-target",
  "bpf",
  "-mcpu=v3",
  `-I/usr/include/${arch}-linux-gnu`,
  "-c",
  src,
  "-o",
  obj,
];

console.log(`whole process, median of ${RUNS} pairs (A then B); ratio = median of the pair ratios`);
console.log(
  `${"A / B".padEnd(42)} ${"A cpu".padStart(10)} ${"B cpu".padStart(10)} ${"ratio".padStart(6)}  ${"A wall".padStart(10)} ${"B wall".padStart(10)} ${"ratio".padStart(6)}`,
);
row("ioubpf --version / node -e 0", paired([bin, ["--version"]], node), 1.2);
row(
  "ioubpf check copy / node -e 0",
  paired([bin, ["check", "examples/copy/copy.bpf.ts", ...TARGET]], node),
);
const cpuRatios: number[] = [];
const wallRatios: number[] = [];
for (const ex of examples) {
  const o = join(out, basename(ex).replace(/\.bpf\.ts$/, ".o"));
  const r = paired([bin, ["compile", ex, "-o", o, ...TARGET]], node);
  cpuRatios.push(r.cpu);
  wallRatios.push(r.wall);
  row(`ioubpf compile ${basename(ex)} / node -e 0`, r, 2);
}
console.log(
  `${"compile / node -e 0, median over examples".padEnd(42)} ${"".padStart(21)} ${median(cpuRatios).toFixed(2).padStart(6)}  ${"".padStart(21)} ${median(wallRatios).toFixed(2).padStart(6)}`,
);
if (clang) {
  for (const ex of examples) {
    const c = join(root, "bench", "c", basename(ex).replace(/\.ts$/, ".c"));
    if (!existsSync(c)) continue;
    const o = join(out, basename(ex).replace(/\.bpf\.ts$/, ".o"));
    row(
      `ioubpf compile / clang-19 -c ${basename(c)}`,
      paired(
        [bin, ["compile", ex, "-o", o, ...TARGET]],
        ["clang-19", clangArgs(c, join(out, "clang.o"))],
      ),
    );
  }
} else console.log("clang-19 comparisons skipped: clang-19 is not installed");

// In-process: the library compile (verifying, as the CLI does), warm.
console.log(`\nin-process compile (library, warm; CPU time, median of 25 runs)`);
console.log(`${"program".padEnd(20)} ${"verified µs".padStart(12)} ${"no verify µs".padStart(13)}`);
for (const ex of examples) {
  const text = readFileSync(join(root, ex), "utf8");
  const time = (verify: boolean): number => {
    for (let i = 0; i < 5; i++) compile({ path: ex, text }, { target: "iouring-v2", verify });
    const xs: number[] = [];
    for (let i = 0; i < 25; i++) {
      // CPU time of this process (µs): unlike wall time it does not count other processes.
      const t0 = process.cpuUsage();
      const r = compile({ path: ex, text }, { target: "iouring-v2", verify });
      const d = process.cpuUsage(t0);
      xs.push(d.user + d.system);
      if (!r.bytes) throw new Error(`${ex} does not compile`);
    }
    return median(xs);
  };
  console.log(
    `${basename(ex).padEnd(20)} ${time(true).toFixed(0).padStart(12)} ${time(false).toFixed(0).padStart(13)}`,
  );
}

// 50 programs: one `--out-dir` process against 50 clang-19 processes (copy's logic each).
const many = join(out, "many");
mkdirSync(many, { recursive: true });
const copyText = readFileSync(join(root, "examples/copy/copy.bpf.ts"), "utf8");
const files: string[] = [];
for (let i = 0; i < 50; i++) {
  const f = join(many, `copy${String(i).padStart(2, "0")}.bpf.ts`);
  writeFileSync(f, copyText);
  files.push(f);
}
const batches = 3;
const oursRuns = Array.from({ length: batches }, () =>
  timed(bin, ["compile", ...files, "--out-dir", join(many, "out"), ...TARGET]),
);
const ours = { cpu: median(oursRuns.map((r) => r.cpu)), wall: median(oursRuns.map((r) => r.wall)) };
console.log(`\n50 programs (median of ${batches} batches)                   cpu          wall`);
console.log(`ioubpf compile --out-dir (one process)        ${fmt(ours.cpu)}  ${fmt(ours.wall)}`);
if (clang) {
  const src = join(root, "bench", "c", "copy.bpf.c");
  const batchRuns = Array.from({ length: batches }, () => {
    const total = { cpu: 0, wall: 0 };
    for (let i = 0; i < 50; i++) {
      const r = timed("clang-19", clangArgs(src, join(many, `c${i}.o`)));
      total.cpu += r.cpu;
      total.wall += r.wall;
    }
    return total;
  });
  const theirs = {
    cpu: median(batchRuns.map((r) => r.cpu)),
    wall: median(batchRuns.map((r) => r.wall)),
  };
  console.log(
    `50 × clang-19 -c                              ${fmt(theirs.cpu)}  ${fmt(theirs.wall)}`,
  );
  console.log(
    `ours / clang                                  ${(ours.cpu / theirs.cpu).toFixed(2).padStart(10)}  ${(ours.wall / theirs.wall).toFixed(2).padStart(10)}`,
  );
}
