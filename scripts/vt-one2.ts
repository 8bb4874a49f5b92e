import { readFileSync } from "node:fs";
import { buildDiffObject } from "../test/verifier/differential.js";
import { kernelVerify } from "../src/index.js";
const asm = readFileSync(process.argv[2]!, "utf8");
const o = buildDiffObject(asm);
if (typeof o === "string") { console.log(o); process.exit(1); }
const k = await kernelVerify(o, { target: "iouring-v2", logLevel: 2, strict: process.argv[3] !== "lenient" });
console.log(k.verdict, k.reason, "\n", k.log.split("\n").slice(0, 70).join("\n"));
process.exit(0);
