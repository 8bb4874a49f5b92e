// `npm run bench -- fuzz`: the long fuzzing run (test/hostile/fuzz.ts) over every command.
// Environment: FUZZ_CASES (per command, default 20000), FUZZ_SECONDS (time budget, default
// 1800), FUZZ_SEED, FUZZ_WORKERS (default 2), FUZZ_SAVE (where failing inputs go, default
// fuzz-failures/). Prints cases, exit-code counts per command, crashes, hangs (> 10 s),
// cases over 1 GiB and the peak worker memory; exits 1 on any failure.
import { formatStats, runFuzz } from "../test/hostile/fuzz.js";

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const stats = await runFuzz({
  cases: env("FUZZ_CASES", 20000),
  seed: env("FUZZ_SEED", Date.now() & 0xffffffff),
  workers: env("FUZZ_WORKERS", 2),
  budgetMs: env("FUZZ_SECONDS", 1800) * 1000,
  saveDir: process.env.FUZZ_SAVE ?? "fuzz-failures",
  progressEvery: 2000,
  progress: (s) =>
    console.log(
      `  … ${s.cases} cases, ${(s.elapsedMs / 1000).toFixed(0)} s, ${s.crashes} crashes, ${s.hangs} hangs, ${s.memory} memory, peak ${s.peakRssMb.toFixed(0)} MB`,
    ),
});
console.log(formatStats(stats));
process.exit(stats.crashes + stats.hangs + stats.memory > 0 ? 1 : 0);
