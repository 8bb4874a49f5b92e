// Every example and valid program compiles for every code-generation target that can express
// it, and the kernel verifier accepts each such object; the examples at every --mcpu (v1..v4)
// and at -O0 and -O2 too. A program a target cannot express fails with the checker's target
// diagnostics (E30xx) only, never an exception or an object.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelVerify } from "../../src/kernel/index.js";
import type { CompileResult } from "../../src/codegen/index.js";
import { ROOT, compileFile, mustCompile, needKernel } from "./helpers.js";

const TARGETS = ["iouring-v1", "iouring-v2"] as const;
type Target = (typeof TARGETS)[number];

const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .sort()
  .flatMap((d) =>
    readdirSync(join(ROOT, "examples", d, "v2"))
      .filter((f) => f.endsWith(".bpf.ts"))
      .map((f) => join(ROOT, "examples", d, "v2", f)),
  );
const VALID = readdirSync(join(ROOT, "test/programs/valid"))
  .filter((f) => f.endsWith(".bpf.ts"))
  .sort()
  .map((f) => join(ROOT, "test/programs/valid", f));

/** The target a program is written for (`// target:` in its first lines; default v2). */
function declared(path: string): string {
  const head = readFileSync(path, "utf8").split("\n").slice(0, 5).join("\n");
  return /\/\/ target: ([a-z0-9.-]+)/.exec(head)?.[1] ?? "iouring-v2";
}
const short = (p: string): string => p.slice(ROOT.length);

/** Loaded in lenient mode (the helpers they call need CAP_PERFMON in a SYSCALL program). */
const LENIENT = new Set([
  "examples/ping-pong/v2/pong.bpf.ts",
  "test/programs/valid/ringbuf-events.bpf.ts",
  "test/programs/valid/trace-errors.bpf.ts",
  "test/programs/valid/v1-delayed-send.bpf.ts",
  "test/programs/valid/user-memory.bpf.ts",
  "test/programs/valid/struct-fixedarray.bpf.ts",
  "test/programs/valid/loops.bpf.ts",
  "test/programs/valid/idiom-widening.bpf.ts",
]);

const errors = (r: CompileResult): string[] =>
  r.diagnostics.filter((d) => d.severity === "error").map((d) => d.code ?? "?");

/** Compiles for `target`; a program needing cpu v4 (E3030: signed division) gets --mcpu v4. */
function compileFor(path: string, target: Target): { r: CompileResult; mcpu?: string } {
  const r = compileFile(path, { target });
  if (!r.bytes && errors(r).length > 0 && errors(r).every((c) => c === "E3030"))
    return { r: compileFile(path, { target, mcpu: "v4" }), mcpu: "v4" };
  return { r };
}

test("each program compiles for every target that can express it, else only target diagnostics", () => {
  const compiled: Record<Target, number> = { "iouring-v1": 0, "iouring-v2": 0 };
  for (const path of [...EXAMPLES, ...VALID]) {
    for (const target of TARGETS) {
      const { r } = compileFor(path, target);
      if (r.bytes) {
        compiled[target]++;
        assert.deepEqual(errors(r), [], short(path));
        continue;
      }
      assert.notEqual(
        declared(path),
        target,
        `${short(path)} does not compile for its own target: ${JSON.stringify(r.diagnostics)}`,
      );
      const codes = errors(r);
      assert.ok(codes.length > 0, `${short(path)} (${target}): no object and no error`);
      assert.ok(
        codes.every((c) => /^E30\d\d$/.test(c)),
        `${short(path)} (${target}): not a target diagnostic: ${codes.join(", ")}`,
      );
    }
  }
  // Every example, and the valid programs written for v2 or v1, on their own target at least.
  assert.ok(
    compiled["iouring-v2"] >=
      EXAMPLES.length + VALID.filter((p) => declared(p) === "iouring-v2").length,
  );
  assert.ok(
    compiled["iouring-v1"] >= VALID.filter((p) => declared(p) === "iouring-v1").length + 2,
    `v1: ${compiled["iouring-v1"]}`,
  );
});

test(
  "the kernel accepts the objects compiled for a target other than the program's own",
  { timeout: 120_000 },
  async (t) => {
    if (!needKernel(t)) return;
    const seen: string[] = [];
    for (const path of [...EXAMPLES, ...VALID]) {
      for (const target of TARGETS) {
        if (declared(path) === target) continue; // corpus.test.ts verifies those
        const { r, mcpu } = compileFor(path, target);
        if (!r.object) continue;
        const key = short(path);
        const v = await kernelVerify(r.object, { target, strict: !LENIENT.has(key) });
        assert.equal(
          v.verdict,
          "accept",
          `${key} (${target}${mcpu ? `, ${mcpu}` : ""}, ${v.mode}): ${v.reason}\n${v.log.split("\n").slice(-15).join("\n")}`,
        );
        seen.push(
          `${key} as ${target}${mcpu ? ` --mcpu ${mcpu}` : ""}: processed ${v.processedInsns} (${v.mode})`,
        );
      }
    }
    assert.ok(seen.length >= 4, seen.join("\n"));
    for (const s of seen) t.diagnostic(s);
  },
);

test(
  "the kernel accepts every example at --mcpu v1..v4, -O0 and -O2",
  { timeout: 170_000 },
  async (t) => {
    if (!needKernel(t)) return;
    for (const path of EXAMPLES) {
      const key = short(path);
      const sizes: string[] = [];
      for (const mcpu of ["v1", "v2", "v3", "v4"]) {
        for (const opt of [0, 2] as const) {
          const r = compileFile(path, { target: "iouring-v2", mcpu, opt });
          const obj = mustCompile(r);
          const v = await kernelVerify(obj, { target: "iouring-v2", strict: !LENIENT.has(key) });
          assert.equal(
            v.verdict,
            "accept",
            `${key} --mcpu ${mcpu} -O${opt} (${v.mode}): ${v.reason}\n${v.log.split("\n").slice(-15).join("\n")}`,
          );
          sizes.push(`${mcpu}/-O${opt} ${r.programs![0]!.slots}`);
        }
      }
      t.diagnostic(`${key}: slots ${sizes.join(", ")}`);
    }
  },
);
