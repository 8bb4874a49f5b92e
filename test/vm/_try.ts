import { runRandomDiff, summary } from "./random-diff.js";
const r = await runRandomDiff({ pairs: Number(process.argv[2] ?? 500), seed: Number(process.argv[3] ?? 1) });
console.log(summary(r));
for (const m of r.mismatches.slice(0, 5)) console.log(m);
