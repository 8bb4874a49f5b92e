// lang/index.d.ts must be what scripts/gen-lang.ts makes of src/targets/sqe.ts: this fails
// when the table changed and `npm run gen:lang` was not run (or the file was hand-edited).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { LANG_DTS_PATH, renderGenerated, updateLangDts } from "../../scripts/gen-lang.js";
import { IOSQE_FLAGS, SQE_FIELDS, SUBMIT_OPS } from "../../src/targets/sqe.js";

const current = readFileSync(LANG_DTS_PATH, "utf8");

test("lang/index.d.ts is up to date with src/targets/sqe.ts", async () => {
  const next = await updateLangDts(current);
  assert.ok(next === current, "lang/index.d.ts is stale: run `npm run gen:lang`");
});

test("a changed table changes the generated text (the staleness check can fail)", async () => {
  const op = SUBMIT_OPS[1]!;
  const saved = op.doc;
  try {
    (op as { doc: string }).doc = "Changed for the test.";
    assert.notEqual(await updateLangDts(current), current);
  } finally {
    (op as { doc: string }).doc = saved;
  }
  assert.equal(await updateLangDts(current), current);
});

test("the generated block declares every op, its fields and every IOSQE boolean", () => {
  const gen = renderGenerated();
  for (const o of SUBMIT_OPS) {
    const iface = o.name[0]!.toUpperCase() + o.name.slice(1) + "Options";
    assert.match(gen, new RegExp(`\\b${o.name}\\(options: ${iface}\\): bool;`), o.name);
    const body = gen.slice(gen.indexOf(`export interface ${iface} `));
    const block = o.fields.length ? body.slice(0, body.indexOf("\n}\n")) : "";
    for (const u of o.fields)
      assert.match(
        block,
        new RegExp(`\\n  ${u.field}${u.required ? "" : "\\?"}: [ui]\\d+;`),
        `${o.name}.${u.field}`,
      );
    assert.ok(gen.includes(`IORING_OP_${o.kernel} (${o.opcode})`), o.name);
  }
  for (const fl of IOSQE_FLAGS) assert.match(gen, new RegExp(`\\n  ${fl.name}\\?: bool;`));
  const raw = gen.slice(gen.indexOf("export interface SqeOptions "));
  for (const f of SQE_FIELDS)
    assert.ok(raw.includes(`  ${f.name}`) || gen.includes(`  ${f.name}?: u`), f.name);
  assert.match(raw, /\n {2}opcode: u8;/);
});

test("the hand-written part declares every builtin with a doc comment", () => {
  for (const name of ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"]) {
    assert.match(current, new RegExp(`\\*/\\nexport type ${name} = number;`));
    assert.match(current, new RegExp(`\\*/\\nexport declare function ${name}\\(`));
  }
  for (const decl of [
    "export type bool = boolean;",
    "export interface FixedArray<",
    "export declare class ArrayMap<",
    "export declare class HashMap<",
    "export declare class PerCpuArrayMap<",
    "export declare class RingBuf ",
    "export declare function emit(",
    "export declare function stop(",
    "export declare function ktime(",
    "export declare function random(",
    "export declare function trace(",
    "export declare function copyFromUser<",
    "export declare function copyToUser<",
    "export declare const submit: Submit;",
    "export interface Cqe ",
  ]) {
    const at = current.indexOf(decl);
    assert.ok(at > 0, `missing ${decl}`);
    assert.ok(current.slice(0, at).trimEnd().endsWith("*/"), `${decl} has no doc comment`);
  }
});
