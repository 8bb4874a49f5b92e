// `npm run bench -- fuzz`: the long fuzzing run (test/hostile/fuzz.ts) over every command.
// Environment: FUZZ_TOTAL (cases in all, default 1,000,000), FUZZ_SECONDS (time budget,
// default 7200), FUZZ_SEED, FUZZ_WORKERS (default 2), FUZZ_SAVE (where failing inputs go,
// default fuzz-failures/); FUZZ_CASES=N gives every command N cases instead of the mix;
// FUZZ_COMMANDS=golden,run (a comma list) fuzzes only those commands.
// Prints cases, exit-code counts per command, crashes, hangs (> 10 s of CPU), cases over
// 1 GiB and the peak worker memory; exits 1 on any failure or when the budget ran out first.
//
// The mix: a command's share is about inversely proportional to what one of its cases costs
// (measured in-process on this machine: disasm 2.4 ms, verify 2.9, check 3.7, asm 5.9,
// compile 7.0, scenario 8.9, run 12.7 — a default scenario runs 10,000 loop steps — and
// golden 35.7, which compiles and runs a whole example), so that every command gets a
// comparable share of the CPU time and the cheap readers are not starved by the dear ones;
// no command gets fewer than 5% of the cases.
import { COMMANDS, type FuzzCommand, formatStats, runFuzz } from "../test/hostile/fuzz.js";

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const MIX: Record<FuzzCommand, number> = {
  disasm: 0.2,
  verify: 0.2,
  check: 0.17,
  asm: 0.12,
  compile: 0.1,
  scenario: 0.08,
  run: 0.08,
  golden: 0.05,
};
const total = env("FUZZ_TOTAL", 1_000_000);
const commands = process.env.FUZZ_COMMANDS
  ? process.env.FUZZ_COMMANDS.split(",").map((c) => c.trim())
  : [...COMMANDS];
for (const c of commands)
  if (!(COMMANDS as readonly string[]).includes(c)) {
    console.error(`FUZZ_COMMANDS: unknown command '${c}' (known: ${COMMANDS.join(", ")})`);
    process.exit(2);
  }
const chosen = commands as FuzzCommand[];
const share = chosen.reduce((a, c) => a + MIX[c], 0);
const cases: Record<string, number> | number = process.env.FUZZ_CASES
  ? Number(process.env.FUZZ_CASES)
  : Object.fromEntries(chosen.map((c) => [c, Math.round((total * MIX[c]) / share)]));
const wanted =
  typeof cases === "number"
    ? cases * chosen.length
    : Object.values(cases).reduce((a, b) => a + b, 0);
console.log(
  `fuzzing ${wanted} cases: ${chosen.map((c) => `${c} ${typeof cases === "number" ? cases : cases[c]}`).join(", ")}`,
);
const stats = await runFuzz({
  cases,
  commands: chosen,
  seed: env("FUZZ_SEED", Date.now() & 0xffffffff),
  workers: env("FUZZ_WORKERS", 2),
  budgetMs: env("FUZZ_SECONDS", 7200) * 1000,
  saveDir: process.env.FUZZ_SAVE ?? "fuzz-failures",
  progressEvery: 10000,
  progress: (s) =>
    console.log(
      `  … ${s.cases} cases, ${(s.elapsedMs / 1000).toFixed(0)} s, ${s.crashes} crashes, ${s.hangs} hangs, ${s.memory} memory, peak ${s.peakRssMb.toFixed(0)} MB`,
    ),
});
console.log(formatStats(stats));
if (stats.cases < wanted) console.log(`budget ran out: ${stats.cases} of ${wanted} cases ran`);
process.exit(stats.crashes + stats.hangs + stats.memory > 0 || stats.cases < wanted ? 1 : 0);
