import { readFileSync } from "node:fs";
import { readElf, verifyObject, formatDiagnostics, kernelVerify } from "../src/index.js";
for (const f of process.argv.slice(2)) {
  const { object, diagnostics } = readElf(readFileSync(f), f);
  if (!object) { console.log(f, diagnostics); continue; }
  const t = f.includes("v1") ? "iouring-v1" : "iouring-v2";
  const r = verifyObject(object, { target: t, file: f });
  const k = await kernelVerify(object, { target: t as "iouring-v2" });
  console.log(f, "ours:", r.ok ? "accept" : "reject", "kernel:", k.verdict, k.processedInsns, k.reason ?? "", JSON.stringify(r.stats.programs.map(p=>[p.name,p.insnsProcessed,p.statesExplored])));
  if (!r.ok) console.log(formatDiagnostics(r.diagnostics));
}
process.exit(0);
