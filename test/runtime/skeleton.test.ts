// `ioubpf gen skeleton`: the C header of every linux-7.1 example compiles with gcc -Wall
// -Werror against libbpf's headers, and so does each example's main in test/runtime/skel
// (which test/runtime/guest.test.ts runs in the 7.x guest); names are valid C identifiers;
// --lang ts gives typed globals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";
import { cIdent } from "../../src/runtime/skeleton.js";

const ROOT = join(import.meta.dirname, "..", "..");
const EXAMPLES = [
  "nop-pump/nop-pump",
  "copy/copy",
  "ticker/ticker",
  "echo/echo",
  "open-read-close/orc",
];

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    color: false,
  };
  return { code: await runCli(args, io), out, err };
}

test("cIdent: names that are not C identifiers become ones", () => {
  assert.equal(cIdent("01-copy"), "_01_copy");
  assert.equal(cIdent("nop-pump"), "nop_pump");
  assert.equal(cIdent("ok_name"), "ok_name");
});

test("C skeletons of the examples compile with gcc -Wall -Werror", async (t) => {
  const gcc = spawnSync("gcc", ["--version"]).status === 0;
  if (!gcc) return t.skip("no gcc");
  if (!existsSync("/usr/include/bpf/libbpf.h"))
    return t.skip("no libbpf headers (apt-get install libbpf-dev)");
  const work = mkdtempSync(join(tmpdir(), "ioubpf-skel-"));
  try {
    for (const e of EXAMPLES) {
      const o = join(work, "x.o");
      assert.equal(
        (await cli(["compile", join(ROOT, "examples", `${e}.bpf.ts`), "-o", o])).code,
        0,
      );
      const h = await cli(["gen", "skeleton", o]);
      assert.equal(h.code, 0, h.err);
      const name = /struct (\w+) \{\n\tstruct bpf_object \*obj;/.exec(h.out)?.[1];
      assert.ok(name, `${e}: no skeleton struct`);
      writeFileSync(join(work, "s.h"), h.out);
      writeFileSync(
        join(work, "m.c"),
        `#include "s.h"\nint main(void) { struct ${name} *s = ${name}__open(); if (!s) return 1; ${name}__ring_setup(s, 16, 64); ${name}__load(s); ${name}__attach(s); ${name}__run(s); ${name}__destroy(s); return 0; }\n`,
      );
      const c = spawnSync(
        "gcc",
        ["-fsyntax-only", "-Wall", "-Werror", "-I", work, join(work, "m.c")],
        { encoding: "utf8" },
      );
      assert.equal(c.status, 0, `${e}: ${c.stderr}`);
      const ts = await cli(["gen", "skeleton", o, "--lang", "ts"]);
      assert.equal(ts.code, 0);
      assert.match(ts.out, /export interface \w+Globals \{/);
    }
    assert.ok(readFileSync(join(work, "s.h"), "utf8").includes("__ring_setup"));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("gen skeleton: a foreign object is a diagnostic and exit 1", async () => {
  const r = await cli(["gen", "skeleton", join(ROOT, "package.json")]);
  assert.equal(r.code, 1);
  assert.match(r.err, /E5002/);
});

test("each example's C skeleton main (test/runtime/skel) compiles with gcc -Wall -Werror", async (t) => {
  if (spawnSync("gcc", ["--version"]).status !== 0) return t.skip("no gcc");
  if (!existsSync("/usr/include/bpf/libbpf.h"))
    return t.skip("no libbpf headers (apt-get install libbpf-dev)");
  const work = mkdtempSync(join(tmpdir(), "ioubpf-skelmain-"));
  try {
    for (const e of EXAMPLES) {
      const [dir, base] = e.split("/") as [string, string];
      const main = join(ROOT, "test/runtime/skel", `${base}-main.c`);
      assert.ok(existsSync(main), `${dir}: no ${base}-main.c`);
      const o = join(work, `${base}.o`);
      assert.equal(
        (await cli(["compile", join(ROOT, "examples", `${e}.bpf.ts`), "-o", o])).code,
        0,
      );
      // The header name the main includes: the program's name made a C identifier.
      const h = await cli(["gen", "skeleton", o, "-o", join(work, `${cIdent(base)}.skel.h`)]);
      assert.equal(h.code, 0, h.err);
      const c = spawnSync("gcc", ["-fsyntax-only", "-Wall", "-Werror", "-I", work, main], {
        encoding: "utf8",
      });
      assert.equal(c.status, 0, `${base}-main.c: ${c.stderr}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
