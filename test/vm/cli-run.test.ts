// `ioubpf run` end to end on a clang-built iouring-v2 program (BTF maps, .rodata/.bss, a
// subprogram): exit codes, text and JSON output, and bad input of every kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";

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

const dir = mkdtempSync(join(tmpdir(), "ioubpf-run-"));
const obj = join(dir, "counter.bpf.o");
execFileSync("clang-19", [
  "-O2",
  "-g",
  "-target",
  "bpf",
  "-mcpu=v3",
  `-I/usr/include/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`,
  "-c",
  join(import.meta.dirname, "programs", "counter.bpf.c"),
  "-o",
  obj,
]);
const scenario = join(dir, "s.yaml");
writeFileSync(
  scenario,
  "ring: { cq_entries: [64, 8] }\ncompletions:\n  - match: { user_data: 5 }\n    error: ENOSPC\n    after: 2\n",
);

test("run: the writer keeps 4 writes in flight until 16 are done", async () => {
  const io = captureIO();
  assert.equal(await runCli(["run", obj, "--scenario", scenario, "--trace"], io), 0, io.err);
  const writes = io.out.split("\n").filter((l) => / submit #\d+ WRITE /.test(l));
  assert.equal(writes.length, 16);
  // Offsets 0, 4096, … 61440 each written once, routed to CQ 1.
  assert.deepEqual(
    writes.map((l) => Number(/off=(\d+)/.exec(l)?.[1] ?? 0)).sort((a, b) => a - b),
    Array.from({ length: 16 }, (_, i) => i * 4096),
  );
  assert.ok(writes.every((l) => / cq=1 /.test(l)));
  assert.match(io.out, /cqe CQ1 \{user_data=0x5 res=-28\}/);
  // stats[0] counts 16 reaped completions (little-endian u64).
  assert.match(io.out, /map stats: 00000000=1000000000000000/);
  assert.match(io.out, /CQ0: 1 CQE\(s\) left: \{user_data=0x0 res=0\}/);
});

test("run --json: trace events, final state and diagnostics as data", async () => {
  const io = captureIO();
  assert.equal(await runCli(["run", obj, "-s", scenario, "--json"], io), 0, io.err);
  const j = JSON.parse(io.out);
  assert.equal(j.ok, true);
  assert.equal(j.errorCount, 0);
  assert.ok(j.trace.events.some((e: { type: string }) => e.type === "reap"));
  assert.equal(j.trace.final.cqs.length, 2);
  assert.equal(j.trace.stats.sqes, 17);
});

test("run: bad input exits 1 with a diagnostic; usage errors exit 2", async () => {
  const missing = captureIO();
  assert.equal(await runCli(["run", join(dir, "nope.o")], missing), 1);
  assert.match(missing.err, /E9001/);

  const badScenario = join(dir, "bad.yaml");
  writeFileSync(
    badScenario,
    "ring: { cq_entries: [0] }\ncompletions: [{ match: { opcode: FROB } }]\nbogus: 1\n",
  );
  const bs = captureIO();
  assert.equal(await runCli(["run", obj, "-s", badScenario], bs), 1);
  assert.match(bs.err, /E8010/);
  assert.match(bs.err, /unknown opcode FROB/);
  assert.match(bs.err, /bogus: unknown key/);

  const garbage = join(dir, "garbage.o");
  writeFileSync(garbage, "not an elf file at all");
  const g = captureIO();
  assert.equal(await runCli(["run", garbage], g), 1);

  const t = captureIO();
  assert.equal(await runCli(["run", obj, "--target", "iouring-v9"], t), 2);

  const p = captureIO();
  assert.equal(await runCli(["run", obj, "--program", "nosuch"], p), 1);
  assert.match(p.err, /E8003/);
});

test("run: a faulting program exits 1 with E8001 and the pc", async () => {
  const asm = join(dir, "f.s");
  const o = join(dir, "f.o");
  writeFileSync(asm, "  r1 = 0\n  r0 = *(u64 *)(r1 + 16)\n  exit\n");
  execFileSync("llvm-mc-19", ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", asm, "-o", o]);
  const io = captureIO();
  assert.equal(await runCli(["run", o], io), 1);
  assert.match(io.err, /E8001.*pc 1: invalid memory access.*0x10/);
});

test("run: the README's first command (compile examples/copy, run it on its scenario, `globals` set the declare consts)", async () => {
  const copy = join(dir, "copy.o");
  const root = join(import.meta.dirname, "..", "..");
  const c = captureIO();
  assert.equal(
    await runCli(["compile", join(root, "examples/copy/v2/copy.bpf.ts"), "-o", copy], c),
    0,
    c.err,
  );
  const io = captureIO();
  const s = join(root, "examples/copy/v2/copy.scenario.yaml");
  assert.equal(await runCli(["run", copy, "--scenario", s], io), 0, io.err);
  assert.equal(io.err, "");
  // IN_FD 0 / OUT_FD 1 / BUF 0x10000 from `globals`; reads 4096, 4096, 0; 8192 bytes copied.
  assert.match(
    io.out,
    /submit #1 READ flags=0x1 addr=0x10000 len=16384 user_data=0x1 \(by run 1\)/,
  );
  assert.match(io.out, /submit #4 WRITE flags=0x1 fd=1 off=4096 addr=0x10000 len=4096/);
  assert.match(io.out, /CQ0: 2 CQE\(s\) left: \{user_data=0x0 res=8192\}/);
  // A global the object does not have is a located E8010, and nothing runs.
  const nope = join(dir, "nope.yaml");
  writeFileSync(nope, "globals:\n  IN_FD: 0\n  NOPE: 3\n");
  const n = captureIO();
  assert.equal(await runCli(["run", copy, "-s", nope], n), 1);
  assert.match(n.err, /nope\.yaml:3:3: error E8010: globals\.NOPE: the object has no such symbol/);
  assert.equal(n.out, "");
});

test("run: scenario errors are located (file:line:col), in file order; malformed YAML and JSON too", async () => {
  const bad = join(dir, "located.yaml");
  writeFileSync(
    bad,
    "completions:\n  - match: { opcode: FROB }\n    bogus: 1\nglobals: { X: nope }\n",
  );
  const io = captureIO();
  assert.equal(await runCli(["run", obj, "-s", bad], io), 1);
  const lines = io.err.split("\n").filter((l) => l.includes("error E8010"));
  assert.deepEqual(
    lines.map((l) => l.slice(l.indexOf("located.yaml"))),
    [
      "located.yaml:2:22: error E8010: completions[0].match.opcode: unknown opcode FROB",
      "located.yaml:3:5: error E8010: completions[0].bogus: unknown key (expected one of match, res, error, flags, after, times)",
      "located.yaml:4:15: error E8010: globals.X: expected an integer",
    ],
  );

  const malformed = join(dir, "malformed.yaml");
  writeFileSync(malformed, "ring: { cq_entries: [1, 2 }\nseed: 1\n");
  const m = captureIO();
  assert.equal(await runCli(["run", obj, "-s", malformed], m), 1);
  assert.match(m.err, /malformed\.yaml:1:\d+: error E8010: \(syntax\): /);
  assert.doesNotMatch(m.err, /\n\s+at /, "no stack trace");

  const json = join(dir, "s.json");
  writeFileSync(json, '{\n  "seed": 1,\n  "limits": { "runz": 5 }\n}\n');
  const j = captureIO();
  assert.equal(await runCli(["run", obj, "-s", json], j), 1);
  assert.match(j.err, /s\.json:3:15: error E8010: limits\.runz: unknown key/);

  const missing = captureIO();
  assert.equal(await runCli(["run", obj, "-s", join(dir, "nosuch.yaml")], missing), 1);
  assert.match(missing.err, /nosuch\.yaml: error E9001: no such file/);
});

test("run: objects that are not BPF ELF files are diagnostics, exit 1, no stack trace (CLI process)", () => {
  const x86 = join(dir, "host.o");
  writeFileSync(join(dir, "host.c"), "int f(int x) { return x + 1; }\n");
  execFileSync("clang-19", ["-c", join(dir, "host.c"), "-o", x86]);
  const truncated = join(dir, "truncated.o");
  writeFileSync(truncated, readFileSync(obj).subarray(0, 100));
  const garbage = join(dir, "garbage2.o");
  writeFileSync(garbage, "not an elf file at all");
  const cli = join(import.meta.dirname, "..", "..", "cli", "ioubpf.ts");
  for (const [file, code] of [
    [x86, /E5005: e_machine is 62, not EM_BPF/],
    [truncated, /E50\d\d: /],
    [garbage, /E5002: not an ELF file/],
  ] as const) {
    const r = spawnSync(process.execPath, ["--import", "tsx", cli, "run", file], {
      encoding: "utf8",
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, code);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(r.stdout, "");
  }
});
