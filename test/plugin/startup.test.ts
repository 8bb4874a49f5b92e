// Start-up loads only what a command needs (docs/plugins.md, "Start-up"), and the grammar and
// lexer whose run-time validations are skipped do pass them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lexer } from "chevrotain";
import { IoubpfParser } from "../../src/parser/parser.js";
import { allTokens } from "../../src/parser/tokens.js";
import { DEAD_BRANCH, buildTestBundle, cliObject, removeDir, repo } from "./helpers.js";

test("the grammar and the lexer pass chevrotain's validations", () => {
  // chevrotain throws "Parser Definition Errors detected" from performSelfAnalysis.
  assert.doesNotThrow(() => new IoubpfParser(true));
  const lexer = new Lexer(allTokens, {
    positionTracking: "onlyOffset",
    ensureOptimizations: false,
  });
  assert.deepEqual(lexer.lexerDefinitionErrors, []);
});

/** The project modules (and koffi) that `ioubpf <args>` loads, from a resolve hook's log. */
function loaded(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-startup-"));
  const log = join(dir, "log");
  writeFileSync(log, "");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";\n` +
      `export async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`,
  );
  const reg = join(dir, "reg.mjs");
  writeFileSync(
    reg,
    `import { register } from "node:module";\nregister(${JSON.stringify("file://" + hooks)});\n`,
  );
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--import", reg, join(repo, "cli/ioubpf.ts"), ...args],
    {
      encoding: "utf8",
      cwd: repo,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((u) => u.startsWith("file:") && !u.includes("/node_modules/tsx/"))
    .map((u) => u.replace(/^file:\/\/.*?\/(src|cli|node_modules)\//, "$1/"));
}

const heavy = /^(src\/(verifier|vm|kernel)\/|node_modules\/koffi)/;

test("--version loads nothing but the version", () => {
  const mods = loaded(["--version"]);
  assert.deepEqual(
    mods.filter((m) => !m.endsWith("ioubpf.ts")),
    ["cli/version.ts"],
  );
});

test("check loads no verifier, VM, kernel oracle or koffi", () => {
  const mods = loaded(["check", "examples/copy/copy.bpf.ts"]);
  assert.ok(
    mods.some((m) => m.startsWith("src/check/")),
    "the checker is loaded",
  );
  assert.deepEqual(
    mods.filter((m) => heavy.test(m)),
    [],
  );
});

test("compile loads the verifier but no VM, kernel oracle or koffi", () => {
  // The default target, linux-7.1: its objects are verified too.
  const out = join(mkdtempSync(join(tmpdir(), "ioubpf-startup-")), "c.o");
  const mods = loaded(["compile", "examples/copy/copy.bpf.ts", "-o", out]);
  assert.ok(mods.some((m) => m.startsWith("src/verifier/")));
  assert.deepEqual(
    mods.filter((m) => heavy.test(m) && !m.startsWith("src/verifier/")),
    [],
  );
});

describe("the ioubpf wrapper", () => {
  let bundle = "";
  before(() => (bundle = buildTestBundle("wrapper", true)));
  after(() => removeDir(bundle));

  test("compile and check from the snapshot equal the plain CLI; a stale snapshot is not used", async () => {
    const wrapper = join(bundle, "ioubpf");
    const dir = mkdtempSync(join(tmpdir(), "ioubpf-wrapper-"));
    // The default target (linux-7.1), whose examples the snapshot was warmed on.
    const expected = await cliObject("examples/copy/copy.bpf.ts", [], dir);
    const run = (args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync(wrapper, args, {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
    const c = run(["compile", "examples/copy/copy.bpf.ts", "-o", join(dir, "w.o")]);
    assert.equal(c.status, 0, String(c.stderr));
    assert.ok(readFileSync(join(dir, "w.o")).equals(expected));
    assert.equal(String(c.stderr), "", "the example gives no warning");
    // The verifier runs from the snapshot: a branch only it knows is dead gives E6008.
    const dead = join(dir, "dead.bpf.ts");
    writeFileSync(dead, DEAD_BRANCH);
    const d = run(["compile", dead, "-o", join(dir, "d.o")]);
    assert.equal(d.status, 0, String(d.stderr));
    assert.match(String(d.stderr), /dead\.bpf\.ts: warning E6008/);
    const broken = join(dir, "broken.bpf.ts");
    writeFileSync(broken, "export function onStart(): void {\n  let x: u32 = ;\n}\n");
    const k = run(["check", broken]);
    assert.equal(k.status, 1);
    assert.match(String(k.stderr), /broken\.bpf\.ts:2:\d+: error E\d{4}/);
    assert.equal(String(run(["--version"]).stdout), "0.1.0\n");
    // A snapshot built by another Node binary must not be loaded: ioubpf.node names another file.
    rmSync(join(bundle, "ioubpf.node"));
    symlinkSync("/bin/sh", join(bundle, "ioubpf.node"));
    const stale = run(["compile", "examples/copy/copy.bpf.ts", "-o", join(dir, "s.o")]);
    assert.equal(stale.status, 0, String(stale.stderr));
    assert.ok(readFileSync(join(dir, "s.o")).equals(expected));
    removeDir(dir);
  });
});
