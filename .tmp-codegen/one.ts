import { readFileSync } from "node:fs";
import { compile } from "../src/codegen/index.js";
import { kernelRun } from "../src/kernel/index.js";
import { objdumpText } from "../src/disasm/objdump.js";
import { writeElf } from "../src/elf/index.js";
const HEADER = `import { Cqe, emit, stop, submit, ktime, random, ArrayMap, HashMap, bool, u8, u16, u32, u64, i8, i16, i32, i64 } from "ioubpf/lang";\n`;
const text = HEADER + readFileSync(process.argv[2]!, "utf8");
const r = compile([{ path: "t.bpf.ts", text }], { mcpu: process.env.MCPU ?? "v1", opt: process.env.O0 ? 0 : 2, emitAsm: true });
if (!r.object) { console.log(r.diagnostics); process.exit(1); }
console.log(r.asm!.split("\n").filter(l => !l.includes(".byte")).join("\n"));
const k = await kernelRun(r.object, { target: "iouring-v2", ctx: new Uint8Array([0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0]), cqes: [[], JSON.parse(process.env.CQES ?? "[]").map((c: any) => ({ userData: BigInt(c[0]), res: c[1], flags: c[2] ?? 0 }))], logLevel: process.env.LOG ? 2 : 1 });
console.log(k.verdict, k.reason, k.emitted);
if (process.env.LOG) console.log(k.log.split("\n").slice(-60).join("\n"));
process.exit(0);
