// SQE construction without a memset: constant bytes as immediates, runtime fields as single
// stores; every byte of the 64 written. Plus a golden assembly listing of examples/copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Class, Mode } from "../../src/isa/index.js";
import { kernelRun } from "../../src/kernel/index.js";
import { SHF } from "../../src/elf/types.js";
import { decodeInstruction } from "../../src/isa/index.js";
import {
  ROOT,
  compileFile,
  compileText,
  ctxBytes,
  expectedSqe,
  mustCompile,
  needKernel,
} from "./helpers.js";

const HEADER = `import { Cqe, submit, u16, u32, u64, i32 } from "ioubpf/lang";\n`;

function code(
  obj: import("../../src/elf/types.js").ObjFile,
): { opcode: number; dst: number; off: number }[] {
  const sec = obj.sections.find((s) => (s.flags & SHF.EXECINSTR) !== 0 && s.data.length > 0)!;
  const out: { opcode: number; dst: number; off: number }[] = [];
  for (let at = 0; at < sec.data.length;) {
    const r = decodeInstruction(sec.data, at);
    assert.ok(r.insn);
    out.push(r.insn);
    at += r.size;
  }
  return out;
}

test("a constant NOP SQE on iouring-v1 is 8 immediate stores and the call: 14 instructions (ctx stays in r1)", () => {
  const obj = mustCompile(
    compileText(HEADER + `export function onStart(): void { submit.nop({ userData: 7 }); }\n`, {
      target: "iouring-v1",
    }),
  );
  const insns = code(obj);
  const stores = insns.filter(
    (i) => (i.opcode & 0x07) === Class.ST && (i.opcode & 0xe0) === Mode.MEM && i.dst === 10,
  );
  assert.equal(stores.length, 8, "one 8-byte immediate per qword");
  assert.ok(!insns.some((i) => (i.opcode & 0x07) === Class.STX), "no register stores");
  assert.equal(insns.length, 14);
});

test("runtime fields are single stores; constant neighbours are merged immediates; bytes are exact", async (t) => {
  const src =
    HEADER +
    `declare const FD: i32;\ndeclare const BUF: u64;\n` +
    `export function onCompletion(cqe: Cqe): void {\n` +
    `  submit.write({ fd: FD, fixedFile: true, link: true, addr: BUF, len: u32(cqe.res), off: 0xffffffffffffffff, userData: 0x1122334455667788, personality: 3, cq: u16(cqe.flags) });\n}\n`;
  const r = compileText(src);
  const obj = mustCompile(r);
  if (!needKernel(t)) return;
  const sym = (n: string) => obj.symbols.find((s) => s.name === n)!;
  const ro = obj.sections.find((s) => s.name === ".rodata")!;
  new DataView(ro.data.buffer, ro.data.byteOffset).setInt32(sym("FD").value, -5, true);
  new DataView(ro.data.buffer, ro.data.byteOffset).setBigUint64(
    sym("BUF").value,
    0xdead0000n,
    true,
  );
  const k = await kernelRun(obj, {
    target: "iouring-v2",
    ctx: ctxBytes(0, 1),
    cqes: [[], [{ userData: 0n, res: 300, flags: 0x20002 }]],
  });
  assert.equal(k.verdict, "accept", k.reason);
  const want = expectedSqe(
    "WRITE",
    {
      fd: -5,
      addr: 0xdead0000n,
      len: 300,
      off: 0xffffffffffffffffn,
      userData: 0x1122334455667788n,
      personality: 3,
      cq: 2,
    },
    ["fixedFile", "link"],
  );
  assert.equal(Buffer.from(k.sqes[0]!).toString("hex"), Buffer.from(want).toString("hex"));
});

test("golden: examples/copy assembly (-O2, v3)", () => {
  const r = compileFile(join(ROOT, "examples/copy/v2/copy.bpf.ts"), { emitAsm: true });
  mustCompile(r);
  const text = r.asm!.replace(/^\t\.byte\t.*\n/gm, ""); // BTF bytes are covered elsewhere
  const golden = new URL("./golden/copy.s", import.meta.url).pathname;
  if (process.env.UPDATE_GOLDEN || !existsSync(golden)) {
    writeFileSync(golden, text);
    if (!process.env.UPDATE_GOLDEN) assert.fail(`wrote missing golden ${golden}; rerun`);
    return;
  }
  assert.equal(text, readFileSync(golden, "utf8"));
});
