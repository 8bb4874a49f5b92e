// The golden-file runner (`ioubpf test`, src/golden): discovery, comparison with diffs,
// --update, the golden-only scenario keys, and the examples' own expectations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";
import { findGoldenSources, runGolden, unifiedDiff } from "../../src/golden/index.js";

function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    color: false,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const examples = join(import.meta.dirname, "..", "..", "examples");

test("unifiedDiff: nothing for equal texts, hunks with context otherwise", () => {
  assert.equal(unifiedDiff("a\nb\n", "a\nb\n", { expected: "x", actual: "y" }), "");
  const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
  const after = [...before];
  after[10] = "changed";
  after.splice(2, 1);
  const d = unifiedDiff(before.join("\n") + "\n", after.join("\n") + "\n", {
    expected: "e",
    actual: "a",
  });
  assert.equal(
    d,
    [
      "--- e",
      "+++ a",
      "@@ -1,6 +1,5 @@",
      " line 0",
      " line 1",
      "-line 2",
      " line 3",
      " line 4",
      " line 5",
      "@@ -8,7 +7,7 @@",
      " line 7",
      " line 8",
      " line 9",
      "-line 10",
      "+changed",
      " line 11",
      " line 12",
      " line 13",
      "",
    ].join("\n"),
  );
});

const FAILING = `import { Cqe, emit, stop } from "ioubpf/lang";
export function onCompletion(cqe: Cqe): void {
  emit({ userData: cqe.userData, res: nosuch });
  stop();
}
`;

const COUNTER = `import { Cqe, emit, stop, i32, u64 } from "ioubpf/lang";
declare const LIMIT: u64;
let seen: u64 = 0;
export function onCompletion(cqe: Cqe): void {
  seen++;
  if (seen >= LIMIT) {
    emit({ userData: seen, res: i32(cqe.res) });
    stop();
  }
}
`;

test("diagnostics expectations: --update writes them, then they pass, and a change fails with a diff", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-golden-"));
  const src = join(dir, "bad.bpf.ts");
  writeFileSync(src, FAILING);
  writeFileSync(join(dir, "bad.diag.expected"), "");
  const found = findGoldenSources([dir]);
  assert.deepEqual(found.sources, [src]);

  const first = runGolden(found.sources);
  assert.equal(first.failed, 1, "an empty expectation cannot match an error");
  const up = runGolden(found.sources, { update: true });
  assert.equal(up.updated, 1);
  const text = readFileSync(join(dir, "bad.diag.expected"), "utf8");
  assert.match(text, /^bad\.bpf\.ts:3:\d+-3:\d+: error E\d{4}: .*nosuch/m);
  assert.equal(runGolden(found.sources).passed, 1);

  writeFileSync(join(dir, "bad.diag.expected"), text.replace("nosuch", "other"));
  const r = runGolden(found.sources);
  assert.equal(r.failed, 1);
  assert.match(r.checks[0]!.detail!, /^--- .*bad\.diag\.expected\n\+\+\+ actual diag\n@@ /);
  assert.match(r.checks[0]!.detail!, /^-.*other/m);
  assert.match(r.checks[0]!.detail!, /^\+.*nosuch/m);
});

test("trace expectations: scenario `globals` set declare consts; a missing trace fails until --update", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-golden-"));
  const src = join(dir, "counter.bpf.ts");
  writeFileSync(src, COUNTER);
  writeFileSync(
    join(dir, "counter.scenario.yaml"),
    "target: iouring-v2\nglobals: { LIMIT: 2 }\nsubmit:\n  - { opcode: NOP, user_data: 1 }\n  - { opcode: NOP, user_data: 2 }\n  - { opcode: BPF, off: 0, user_data: 9 }\ncompletions:\n  - { match: { user_data: 2 }, res: 77, after: 3 }\n",
  );
  const io = captureIO();
  assert.equal(await runCli(["test", dir], io), 1);
  assert.match(io.out, /counter\.trace\.expected is missing/);
  assert.match(io.out, /0 passed, 1 failed\n$/);

  const io2 = captureIO();
  assert.equal(await runCli(["test", dir, "--update"], io2), 0);
  assert.match(io2.out, /0 passed, 0 failed, 1 updated/);
  const trace = readFileSync(join(dir, "counter.trace.expected"), "utf8");
  // LIMIT is 2: the second completion (user_data 2, res 77) makes it emit {2, 77} and stop.
  assert.match(trace, /emit_cqe CQ0 \{user_data=0x2 res=77\}/);

  const io3 = captureIO();
  assert.equal(await runCli(["test", src], io3), 0);
  assert.equal(io3.out, "1 passed, 0 failed\n");

  writeFileSync(join(dir, "counter.scenario.yaml"), "target: iouring-v2\nglobals: { NOPE: 1 }\n");
  const r = runGolden([src]);
  assert.equal(r.failed, 1);
  assert.match(r.checks[0]!.detail!, /globals\.NOPE: the object has no such symbol/);
});

test("disasm expectations: our disassembly of the compiled object, with relocations", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-golden-"));
  const src = join(dir, "counter.bpf.ts");
  writeFileSync(src, COUNTER);
  writeFileSync(join(dir, "counter.disasm.expected"), "");
  assert.equal(runGolden([src], { update: true }).updated, 1);
  const text = readFileSync(join(dir, "counter.disasm.expected"), "utf8");
  assert.match(text, /^counter\.o:\tfile format elf64-bpf$/m);
  assert.match(text, /^[0-9a-f]{16} <counter>:$/m);
  assert.match(text, /R_BPF_64_64\tLIMIT/);
  const io = captureIO();
  assert.equal(await runCli(["test", "-v", dir], io), 0);
  assert.equal(io.out, `ok   ${join(dir, "counter.disasm.expected")}\n1 passed, 0 failed\n`);
  writeFileSync(join(dir, "counter.disasm.expected"), text.replace(/exit/, "exit\n extra"));
  const io2 = captureIO();
  assert.equal(await runCli(["test", dir], io2), 1);
  assert.match(io2.out, /^- extra$/m);
});

test("a path that does not exist is an error; a directory without cases says so", async () => {
  const io = captureIO();
  assert.equal(await runCli(["test", "/no/such/dir"], io), 1);
  assert.match(io.err, /E8040/);
  const empty = mkdtempSync(join(tmpdir(), "ioubpf-golden-"));
  const io2 = captureIO();
  assert.equal(await runCli(["test", empty], io2), 1);
  assert.match(io2.err, /no \.bpf\.ts file with expectations/);
});

test("`ioubpf test examples` passes: every example has a golden trace", async () => {
  const found = findGoldenSources([examples]);
  const withTrace = found.sources.filter((s) =>
    runGolden([s]).checks.some((c) => c.kind === "trace"),
  );
  // copy, echo, nop-pump, open-read-close, ping-pong (ping + pong), ticker
  assert.equal(withTrace.length, 6, withTrace.join(" "));
  const io = captureIO();
  // UPDATE_GOLDEN=1 rewrites the examples' expectations, like every golden test here.
  const update = process.env.UPDATE_GOLDEN ? ["--update"] : [];
  const code = await runCli(["test", examples, ...update], io);
  assert.equal(code, 0, io.out + io.err);
  assert.match(io.out, /^\d+ passed, 0 failed(, \d+ updated)?\n$/m);
});
