// The library's compile(): verifies by default (as the CLI does), never throws on bad input,
// accepts a plain string, and reports the loader-visible globals (docs/api.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/index.js";
import { DEAD_BRANCH, repo } from "./helpers.js";

const copy = readFileSync(join(repo, "examples/copy/v2/copy.bpf.ts"), "utf8");
const OPTS = { target: "iouring-v2" } as const;

test("compile() runs the verifier unless told not to", () => {
  // The default target (linux-7.1) and iouring-v2 alike: a branch only the verifier knows is
  // dead gives its E6008 warning, and verify: false gives none but the same object.
  for (const options of [{}, OPTS]) {
    const what = JSON.stringify(options);
    const src = { path: "dead.bpf.ts", text: DEAD_BRANCH };
    const verified = compile(src, options);
    assert.ok(verified.bytes, `${what}: compiles`);
    assert.ok(
      verified.diagnostics.some((d) => d.code === "E6008" && d.severity === "warning"),
      `${what}: the verifier ran`,
    );
    const skipped = compile(src, { ...options, verify: false });
    assert.ok(skipped.bytes);
    assert.ok(
      !skipped.diagnostics.some((d) => d.code.startsWith("E6")),
      `${what}: no verifier diagnostics`,
    );
    assert.ok(Buffer.from(skipped.bytes!).equals(Buffer.from(verified.bytes!)), "same object");
  }
});

test("a plain string is a source; other inputs are typed diagnostics, never throws", () => {
  const r = compile(copy, OPTS);
  assert.ok(r.bytes, r.diagnostics.map((d) => d.message).join("\n"));
  // No `export const name`: the program is named after the path, input.bpf.ts unless given.
  assert.equal(r.programs?.[0]?.name, "input");
  assert.equal(compile(copy, { ...OPTS, stringPath: "copy.bpf.ts" }).programs?.[0]?.name, "copy");
  for (const bad of [42, null, undefined, {}, [{ path: 1 }], [copy, 3]] as unknown[]) {
    const b = compile(bad as never, OPTS);
    assert.equal(b.bytes, undefined);
    assert.equal(b.diagnostics[0]?.severity, "error");
    assert.match(b.diagnostics[0]!.code, /^E\d{4}$/);
  }
  assert.equal(compile(copy, null as never).diagnostics[0]?.severity, "error");
  const syntax = compile("export function onStart(): void { let x: u32 = ; }", OPTS);
  assert.equal(syntax.bytes, undefined);
  assert.equal(syntax.diagnostics[0]?.range?.start.line, 1);
});

test("globals: name, section, offset, size and type of what the loader sets", () => {
  const r = compile({ path: "copy.bpf.ts", text: copy }, OPTS);
  const names = r.globals?.map((g) => `${g.section}:${g.offset}:${g.name}:${g.type}`);
  assert.deepEqual(names, [
    ".bss:0:offset:u64",
    ".rodata:0:IN_FD:i32",
    ".rodata:4:OUT_FD:i32",
    ".rodata:8:BUF:u64",
    ".rodata:16:SIZE:u64",
  ]);
});

test("docs/api.md is generated from the current types", async () => {
  const { apiMarkdown } = await import("../../scripts/gen-api.js");
  assert.equal(
    readFileSync(join(repo, "docs/api.md"), "utf8"),
    await apiMarkdown(),
    "run npm run gen:api",
  );
});
