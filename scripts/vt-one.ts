import { readFileSync } from "node:fs";
import { buildDiffObject } from "../test/verifier/differential.js";
import { verifyObject, formatDiagnostics, kernelVerify } from "../src/index.js";
const asm = readFileSync(process.argv[2]!, "utf8");
const o = buildDiffObject(asm);
if (typeof o === "string") { console.log(o); process.exit(1); }
const r = verifyObject(o, { target: "iouring-v2" });
console.log(formatDiagnostics(r.diagnostics), JSON.stringify(r.stats.programs));
const k = await kernelVerify(o, { target: "iouring-v2", logLevel: Number(process.argv[3] ?? 1) });
console.log(k.verdict, k.reason, "\n", k.log.split("\n").slice(-40).join("\n"));
process.exit(0);
