import fc from "fast-check";
import { programArb, buildDiffObject } from "../test/verifier/differential.js";
const bad = new Set<string>();
for (const s of fc.sample(programArb, { numRuns: 300, seed: 3 })) {
  if (typeof buildDiffObject(s.asm) !== "string") continue;
  for (const line of s.asm.split("\n")) {
    if (line.includes(":") || line.includes("goto")) continue;
    const o = buildDiffObject(line + "\n\tr0 = 0\n\texit");
    if (typeof o === "string") bad.add(line.trim());
  }
}
console.log([...bad].slice(0, 20));
