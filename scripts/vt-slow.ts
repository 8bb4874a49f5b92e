import fc from "fast-check";
import { programArb, buildDiffObject } from "../test/verifier/differential.js";
import { verifyObject } from "../src/index.js";
const n = Number(process.argv[2] ?? 400);
for (const s of fc.sample(programArb, { numRuns: n, seed: Number(process.argv[3] ?? 1) })) {
  const o = buildDiffObject(s.asm);
  if (typeof o === "string") continue;
  const t = Date.now();
  const r = verifyObject(o, { target: "iouring-v2" });
  const dt = Date.now() - t;
  if (dt > 300) { console.log(dt, JSON.stringify(r.stats.programs), r.diagnostics[0]?.message, "\n" + s.asm); break; }
}
