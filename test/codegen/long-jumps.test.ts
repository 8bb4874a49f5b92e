// Branch relaxation (issues 13, 16): a function whose code is longer than a 16-bit jump
// offset reaches (±32767 slots) compiles. On cpu v4 an out-of-range `if c goto L` becomes
// `if !c goto +1; gotol L` and an out-of-range `goto L` becomes `gotol L`; below v4 the jump
// goes through `goto` islands placed within reach. Programs that need none are unchanged
// (the corpus goldens).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Class, JmpOp } from "../../src/isa/index.js";
import type { ObjFile } from "../../src/elf/types.js";
import { verifyObject } from "../../src/verifier/index.js";
import { straightLine } from "../../bench/scaling.js";
import { compileText, mustCompile, tool } from "./helpers.js";

/** `n` lines of arithmetic inside one `if`: its conditional jump spans all of them. */
function longIf(n: number): string {
  const out = [
    'import { Cqe, u64 } from "ioubpf/lang";',
    "let a: u64 = 1;",
    "let b: u64 = 2;",
    "export function onStart(): void {",
    "  b = 3;",
    "}",
    "export function onCompletion(cqe: Cqe): void {",
    "  let x: u64 = cqe.userData;",
    "  if (x == 7) {",
  ];
  for (let i = 0; i < n; i++)
    out.push(
      i % 2 === 0 ? `    x = x * ${(i % 13) + 3} + a;` : `    b = b + (x >> ${(i % 7) + 1});`,
    );
  out.push("  } else {", "    a = a + 1;", "  }", "  b = b + x;", "}");
  return out.join("\n") + "\n";
}

const GOTOL = Class.JMP32 | JmpOp.JA;
const JA = Class.JMP | JmpOp.JA;

function code(obj: ObjFile): Uint8Array[] {
  return obj.sections.filter((s) => s.flags & 0x4).map((s) => s.data);
}
const count = (obj: ObjFile, opcode: number): number => {
  let n = 0;
  for (const d of code(obj)) for (let p = 0; p < d.length; p += 8) if (d[p] === opcode) n++;
  return n;
};
const slots = (obj: ObjFile): number => code(obj).reduce((n, d) => n + d.length / 8, 0);

function objdump(t: { skip(m: string): void }, bytes: Uint8Array): string | undefined {
  if (!tool(t as never, "llvm-objdump-19")) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-long-"));
  const o = join(dir, "long.o");
  writeFileSync(o, bytes);
  const r = spawnSync("llvm-objdump-19", ["-d", o], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  assert.doesNotMatch(r.stdout, /<unknown>/);
  return r.stdout;
}

const CASES = [
  { name: "12k straight lines", text: straightLine(12000) },
  { name: "an if spanning 9k lines", text: longIf(9000) },
];

for (const c of CASES) {
  test(`${c.name}: linux-7.1 (mcpu v4) relaxes to gotol; objdump and the verifier accept it`, (t) => {
    const r = compileText(c.text, { target: "linux-7.1", opt: 2, emitAsm: true });
    const obj = mustCompile(r);
    assert.ok(slots(obj) > 32768, `${slots(obj)} slots`);
    assert.ok(count(obj, GOTOL) >= 1);
    assert.match(r.asm!, /gotol \.LBB/);
    const v = verifyObject(obj, { target: "linux-7.1" });
    assert.ok(v.ok, v.diagnostics.map((d) => d.message).join("\n"));
    const text = objdump(t, r.bytes!);
    if (text !== undefined) assert.match(text, /gotol [+-]/);
  });

  test(`${c.name}: iouring-v2 --mcpu v4 relaxes to gotol; objdump reads it`, (t) => {
    const r = compileText(c.text, { target: "iouring-v2", mcpu: "v4", opt: 2 });
    const obj = mustCompile(r);
    assert.ok(count(obj, GOTOL) >= 1);
    // The 5.12 kernel knows no gotol (cpu v4): the verifier says so rather than accepting it.
    const v = verifyObject(obj, { target: "iouring-v2" });
    assert.ok(!v.ok && v.diagnostics.some((d) => /gotol/.test(d.message)));
    const text = objdump(t, r.bytes!);
    if (text !== undefined) assert.match(text, /gotol [+-]/);
  });

  test(`${c.name}: iouring-v2 (mcpu v3) jumps through goto islands; the verifier accepts it`, (t) => {
    const r = compileText(c.text, { target: "iouring-v2", opt: 2 });
    const obj = mustCompile(r);
    assert.equal(count(obj, GOTOL), 0);
    assert.ok(count(obj, JA) >= 1);
    const v = verifyObject(obj, { target: "iouring-v2" });
    assert.ok(v.ok, v.diagnostics.map((d) => d.message).join("\n"));
    objdump(t, r.bytes!);
  });
}

test("short programs keep 16-bit jumps only", () => {
  const obj = mustCompile(compileText(longIf(50), { target: "linux-7.1", opt: 2 }));
  assert.equal(count(obj, GOTOL), 0);
});
