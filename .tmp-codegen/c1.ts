import { readFileSync, writeFileSync } from "node:fs";
import { compile } from "../src/codegen/index.js";
import { formatDiagnostics } from "../src/diagnostics/index.js";
const files = process.argv.slice(2);
const r = compile(files.map((f) => ({ path: f, text: readFileSync(f, "utf8") })), { emitAsm: true, target: process.env.T ?? "iouring-v2" });
if (r.diagnostics.length) console.error(formatDiagnostics(r.diagnostics, {}));
if (r.bytes) writeFileSync("/tmp/out.o", r.bytes);
console.log(JSON.stringify(r.programs));
if (process.env.ASM) console.log(r.asm);
