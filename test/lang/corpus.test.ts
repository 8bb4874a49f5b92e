// The valid-program corpus (test/programs/valid) and the examples: target markers are
// well-formed, each program only uses what its target offers (by the facts in
// src/targets/sqe.ts and targets.ts), and together they exercise the whole language.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  SUBMIT_OPS,
  IOSQE_FLAGS,
  iosqeFlag,
  opField,
  sqeField,
  submitOp,
} from "../../src/targets/sqe.js";
import {
  getTarget,
  isTargetName,
  opcodeAllowed,
  type TargetName,
} from "../../src/targets/targets.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

interface Program {
  file: string;
  text: string;
  code: string; // comments and strings removed
  target: TargetName;
}

function load(dir: string): Program[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".bpf.ts"))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), "utf8");
      const m = /^\/\/ target: (\S+)\n/.exec(text);
      const target = m ? m[1]! : "iouring-v2"; // the corpus was written for iouring-v2
      assert.ok(isTargetName(target), `${f}: unknown target ${target}`);
      const code = text.replace(/\/\/[^\n]*/g, "").replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
      return { file: f, text, code, target };
    });
}

const valid = load(join(ROOT, "test", "programs", "valid"));
const examples = load(join(ROOT, "examples"));
const all = [...valid, ...examples];

test("the corpus has at least 60 programs, each documented and importing only ioubpf/lang", () => {
  assert.ok(valid.length >= 60, `${valid.length} valid programs`);
  for (const p of all) {
    const firstCode = p.text.split("\n").filter((l) => !l.startsWith("// target:"))[0]!;
    assert.match(firstCode, /^\/\/ \S/, `${p.file}: starts without a comment saying what it does`);
    for (const m of p.text.matchAll(/^import .* from "([^"]+)";$/gm))
      assert.equal(m[1], "ioubpf/lang", p.file);
    assert.match(p.code, /export function (onStart|onCompletion)\(/, `${p.file}: no entry point`);
  }
});

test("each program uses only what its target offers", () => {
  for (const p of all) {
    const t = getTarget(p.target);
    for (const m of p.code.matchAll(/\bsubmit\.(\w+)\(/g)) {
      if (m[1] === "sqe") continue;
      const op = submitOp(m[1]!);
      assert.ok(op, `${p.file}: unknown op submit.${m[1]}`);
      assert.ok(
        opcodeAllowed(t, op.opcode),
        `${p.file}: ${p.target} lacks opcode ${op.kernel} (${op.opcode})`,
      );
    }
    if (!t.entryPoints.onCompletion.available) assert.doesNotMatch(p.code, /onCompletion/, p.file);
    for (const b of ["emit", "copyFromUser", "copyToUser"] as const) {
      if (!t.builtins[b].available)
        assert.doesNotMatch(p.code, new RegExp(`\\b${b}\\(`), `${p.file}: ${b} on ${p.target}`);
    }
    if (!t.sqeCqField)
      assert.doesNotMatch(p.code, /submit\.\w+\(\{[^}]*\bcq:/, `${p.file}: cq on ${p.target}`);
    if (p.target !== "linux-7.1") {
      // signed / and % need cpu v4; the 2021 targets stop at v3
      assert.doesNotMatch(p.code, /\bi(8|16|32|64)\([^)]*\)\s*[/%]/, `${p.file}: signed division`);
      assert.doesNotMatch(
        p.code,
        /cqeSkipSuccess/,
        `${p.file}: CQE_SKIP_SUCCESS is newer than 5.12`,
      );
    }
  }
  const targets = new Set(valid.map((p) => p.target));
  for (const t of ["iouring-v1", "iouring-v2", "linux-7.1"])
    assert.ok(targets.has(t as TargetName), `no ${t} program`);
});

test("each submit call names only its op's fields, gives the required ones and no rejected flag", () => {
  let calls = 0;
  for (const p of all) {
    for (const m of p.code.matchAll(/\bsubmit\.(\w+)\(\{([^}]*)\}\)/g)) {
      calls++;
      const keys = [...m[2]!.matchAll(/(?:^|,)\s*(\w+)\s*:/g)].map((k) => k[1]!);
      const op = m[1] === "sqe" ? undefined : submitOp(m[1]!);
      const where = `${p.file}: submit.${m[1]}`;
      for (const k of keys) {
        if (iosqeFlag(k)) {
          assert.ok(
            !op?.rejectedFlags?.includes(k as never),
            `${where} sets ${k}, which the kernel rejects`,
          );
          continue;
        }
        // A field the op fixes (timeout's len = 1) may be given with that value.
        if (op?.fixed && k in op.fixed) continue;
        assert.ok(op ? opField(op, k) : sqeField(k), `${where} has no field ${k}`);
      }
      if (op) {
        for (const u of op.fields) {
          if (u.required) assert.ok(keys.includes(u.field), `${where} lacks ${u.field}`);
        }
      } else {
        assert.ok(keys.includes("opcode"), `${where} lacks opcode`);
      }
    }
  }
  assert.ok(calls > 100, `only ${calls} submit calls seen`);
});

test("together the programs exercise the whole language", () => {
  const code = all.map((p) => p.code).join("\n");
  const need: [string, RegExp][] = [
    ["submit.sqe", /\bsubmit\.sqe\(\{ opcode:/],
    ...SUBMIT_OPS.map((o): [string, RegExp] => [
      `submit.${o.name}`,
      new RegExp(`\\bsubmit\\.${o.name}\\(`),
    ]),
    ...IOSQE_FLAGS.map((f): [string, RegExp] => [
      `IOSQE ${f.name}`,
      new RegExp(`\\b${f.name}: true\\b`),
    ]),
    ...["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"].map((t): [string, RegExp] => [
      `${t}()`,
      new RegExp(`\\b${t}\\(`),
    ]),
    ...["ArrayMap", "HashMap", "PerCpuArrayMap"].map((m): [string, RegExp] => [
      m,
      new RegExp(`new ${m}<`),
    ]),
    ["RingBuf", /new RingBuf\(/],
    ["output", /\.output\(/],
    ["get", /\.get\(/],
    ["set", /\.set\(/],
    ["delete", /\.delete\(/],
    ["has", /\.has\(/],
    ["null check ===", /=== null/],
    ["null check !==", /!== null/],
    ["null check ==", /== null/],
    ["FixedArray", /FixedArray<\w+, \d+>/],
    ["interface", /^interface \w+ \{/m],
    ["nested struct", /^ {2}\w+: [A-Z]\w+;$/m],
    ["const enum", /^const enum \w+ \{/m],
    ["declare const", /^declare const \w+: \w+;/m],
    ["global let with init", /^let \w+: \w+ = /m],
    ["global let zero-initialised with !", /^let \w+!: \w+;/m],
    ["bool type", /: bool\b/],
    ["helper function", /^function \w+\(/m],
    ["helper with 5 params", /^function \w+\((\w+: \w+, ){4}\w+: \w+\)/m],
    ["export const name", /^export const name = /m],
    ["export const license", /^export const license = /m],
    ["emit", /\bemit\(\{/],
    ["stop", /\bstop\(\)/],
    ["ktime", /\bktime\(\)/],
    ["random", /\brandom\(\)/],
    ["trace 0 args", /\btrace\(""\)/],
    ["trace 3 args", /\btrace\("", [^,]+, [^,]+, [^,)]+\)/],
    ["copyFromUser", /\bcopyFromUser\(/],
    ["copyToUser", /\bcopyToUser\(/],
    ["if/else", /\} else \{/],
    ["else if", /else if \(/],
    ["switch", /switch \(/],
    ["default", /default:/],
    ["fall-through", /case [\w.]+:\n\s+case /],
    ["for", /for \(let /],
    ["while", /^\s+while \(/m],
    ["do…while", /do \{[\s\S]*?\} while \(/],
    ["break", /break;/],
    ["continue", /continue;/],
    ["bare block", /^\s+\{\n/m],
    ["ternary", /\? [^:]+ : /],
    ["nested ternary", /\? [^:]+ : [^;]+\? [^:]+ : /],
    ["unannotated const", /const \w+ = /],
    ["annotated const", /const \w+: \w+ = /],
    ["++ prefix", /\+\+\w/],
    ["++ postfix", /\w\+\+/],
    ["-- prefix", /--\w/],
    ["-- postfix", /\w--/],
    ...["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ">>>="].map(
      (op): [string, RegExp] => [op, new RegExp(`\\w ${op.replace(/[*+|^]/g, "\\$&")} `)],
    ),
    ...[
      "+",
      "-",
      "*",
      "/",
      "%",
      "&",
      "|",
      "^",
      "<<",
      ">>",
      ">>>",
      "<",
      "<=",
      ">",
      ">=",
      "==",
      "===",
      "!=",
      "!==",
      "&&",
      "||",
    ].map((op): [string, RegExp] => [
      `binary ${op}`,
      new RegExp(`[\\w)] ${op.replace(/[*+|^]/g, "\\$&")} [\\w(-]`),
    ]),
    ["unary !", /!\w/],
    ["unary ~", /~\w/],
    ["unary -", /= -\w/],
  ];
  const missing = need.filter(([, re]) => !re.test(code)).map(([what]) => what);
  assert.deepEqual(missing, []);

  const only = (has: string, lacks: string) =>
    all.some((p) => p.code.includes(has) && !p.code.includes(lacks));
  assert.ok(
    only("export function onStart(", "export function onCompletion("),
    "no onStart-only program",
  );
  assert.ok(
    only("export function onCompletion(", "export function onStart("),
    "no onCompletion-only program",
  );
  assert.ok(
    all.some((p) => p.code.includes("onStart(") && p.code.includes("onCompletion(")),
    "no program with both",
  );
});
