import { readFileSync } from "node:fs";
import { compile } from "../src/codegen/index.js";
import { kernelVerify } from "../src/kernel/index.js";
import { formatDiagnostics } from "../src/diagnostics/index.js";
const target = process.env.T ?? "iouring-v2";
for (const f of process.argv.slice(2)) {
  const r = compile([{ path: f, text: readFileSync(f, "utf8") }], { target, opt: process.env.O0 ? 0 : 2 });
  if (!r.object) { console.log(f, "COMPILE FAIL", formatDiagnostics(r.diagnostics, {})); continue; }
  const v = await kernelVerify(r.object, { target: target as "iouring-v2", strict: !process.env.LENIENT });
  console.log(f, r.programs!.map(p => `${p.name}:${p.insns}insns/${p.frameSize}B`).join(","), v.verdict, v.mode, v.processedInsns, v.reason ?? "", v.diagnostics.map(d=>d.message).join(";"));
  if (v.verdict === "reject" && process.env.LOG) console.log(v.log.split("\n").slice(-40).join("\n"));
}
process.exit(0);
