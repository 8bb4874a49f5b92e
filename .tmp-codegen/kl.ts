import { readFileSync } from "node:fs";
import { compile } from "../src/codegen/index.js";
import { kernelVerify } from "../src/kernel/index.js";
const HEADER = `import { Cqe, emit, stop, submit, ktime, random, ArrayMap, HashMap, bool, u8, u16, u32, u64, i8, i16, i32, i64 } from "ioubpf/lang";\n`;
const text = HEADER + readFileSync(process.argv[2]!, "utf8");
const r = compile([{ path: "t.bpf.ts", text }], { mcpu: "v3" });
const k = await kernelVerify(r.object!, { target: "iouring-v2", logLevel: Number(process.env.LL ?? 2), strict: !process.env.LENIENT });
const lines = k.log.split("\n");
console.log(k.verdict, lines.length, k.reason); if (process.env.TAIL) console.log(lines.slice(-80).join("\n"));
const counts = new Map<string, number>();
for (const l of lines) { const m = /^(\d+): \(/.exec(l); if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1); }
console.log([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15));
process.exit(0);
