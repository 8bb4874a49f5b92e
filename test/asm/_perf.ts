import { readFileSync } from "node:fs";
import { assemble } from "../../src/asm/index.js";
import { runCli } from "../../cli/main.js";
import { captureIO } from "./helpers.js";
const text = readFileSync(process.argv[2]!, "utf8");
for (let k = 0; k < 3; k++) { const t0 = performance.now(); const r = assemble(text, "x.s"); console.log("assemble", (performance.now() - t0).toFixed(1), "ms", r.diagnostics.length, text.length); }
let t0 = performance.now();
for (let k = 0; k < 100; k++) await runCli(["asm", "/nonexistent.s"], captureIO());
console.log("runCli x100 (missing file)", (performance.now() - t0).toFixed(1));
t0 = performance.now();
const small = text.split("\n").slice(0, 40).join("\n");
for (let k = 0; k < 100; k++) assemble(small, "x.s");
console.log("assemble small x100", (performance.now() - t0).toFixed(1));
