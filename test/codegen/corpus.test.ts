// Every example and every valid program compiles for the targets that can express it; the
// objects read cleanly in llvm-readelf/bpftool, and the kernel verifier accepts them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelVerify } from "../../src/kernel/index.js";
import { compile } from "../../src/codegen/index.js";
import { ROOT, compileFile, mustCompile, needKernel, tool } from "./helpers.js";

interface Case {
  path: string;
  target: "iouring-v1" | "iouring-v2" | "linux-7.1";
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const dir of readdirSync(join(ROOT, "examples")).sort()) {
    for (const f of readdirSync(join(ROOT, "examples", dir, "v2")).sort())
      if (f.endsWith(".bpf.ts"))
        out.push({ path: join(ROOT, "examples", dir, "v2", f), target: "iouring-v2" });
  }
  const valid = join(ROOT, "test/programs/valid");
  for (const f of readdirSync(valid).sort()) {
    if (!f.endsWith(".bpf.ts")) continue;
    const text = readFileSync(join(valid, f), "utf8");
    const m = /\/\/ target: ([a-z0-9.-]+)/.exec(text.split("\n").slice(0, 5).join("\n"));
    out.push({ path: join(valid, f), target: (m?.[1] as Case["target"]) ?? "iouring-v2" });
  }
  return out;
}

const ALL = cases();
const short = (p: string): string => p.slice(ROOT.length);

/**
 * Programs the strict (unprivileged) kernel verifier cannot accept as a SYSCALL program, with
 * the reason; they are checked in lenient mode instead.
 *  - trace_printk and copy_from_user are not offered to SYSCALL programs without CAP_PERFMON;
 *  - struct-fixedarray indexes a map value with an index that is a constant on one path and a
 *    range on the other, which the unprivileged pointer-arithmetic sanitiser refuses.
 */
const LENIENT: Record<string, string> = {
  "examples/ping-pong/v2/pong.bpf.ts": "trace_printk needs CAP_PERFMON",
  "test/programs/valid/ringbuf-events.bpf.ts": "trace_printk needs CAP_PERFMON",
  "test/programs/valid/trace-errors.bpf.ts": "trace_printk needs CAP_PERFMON",
  "test/programs/valid/v1-delayed-send.bpf.ts": "trace_printk needs CAP_PERFMON",
  "test/programs/valid/user-memory.bpf.ts":
    "copy_from_user is not a SYSCALL-program helper without CAP_PERFMON",
  "test/programs/valid/struct-fixedarray.bpf.ts":
    "variable map-value index differs per path (unprivileged sanitiser)",
  "test/programs/valid/idiom-widening.bpf.ts":
    "a stack slot that held a spilled map pointer is reused for a 4-byte map key; only a privileged load turns the slot into data",
  "test/programs/valid/loops.bpf.ts":
    "the unprivileged verifier also walks speculative (mispredicted) branches, where the loop counter is unknown, and reports an infinite loop",
};

test("linux-7.1 programs compile to struct_ops objects (details: linux71.test.ts)", () => {
  const l71 = ALL.filter((c) => c.target === "linux-7.1");
  assert.ok(l71.length > 0);
  for (const c of l71) {
    const r = compileFile(c.path, { target: c.target });
    assert.ok(r.bytes, `${short(c.path)}: ${JSON.stringify(r.diagnostics)}`);
    assert.ok(
      r.programs?.every((p) => p.section.startsWith("struct_ops.s/")),
      short(c.path),
    );
  }
});

test("every example and valid program compiles (-O2 and -O0), and readelf/bpftool read it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-codegen-"));
  const haveReadelf = spawnSync("which", ["llvm-readelf-19"]).status === 0;
  const haveBpftool = spawnSync("which", ["bpftool"]).status === 0;
  if (!haveReadelf) t.diagnostic("llvm-readelf-19 missing: ELF checks skipped");
  if (!haveBpftool) t.diagnostic("bpftool missing: BTF checks skipped");
  let n = 0;
  for (const c of ALL.filter((x) => x.target !== "linux-7.1")) {
    for (const opt of [0, 2] as const) {
      const r = compileFile(c.path, { target: c.target, opt });
      mustCompile(r);
      assert.ok(!r.diagnostics.some((d) => d.severity === "error"), short(c.path));
      if (opt === 0) continue;
      n++;
      const file = join(dir, `${n}.o`);
      writeFileSync(file, r.bytes!);
      if (haveReadelf) {
        const re = spawnSync("llvm-readelf-19", ["-a", file], { encoding: "utf8" });
        assert.equal(re.status, 0, `${short(c.path)}: ${re.stderr}`);
        assert.equal(re.stderr.trim(), "", `${short(c.path)}: readelf warnings: ${re.stderr}`);
      }
      if (haveBpftool) {
        const bt = spawnSync("bpftool", ["btf", "dump", "file", file], { encoding: "utf8" });
        assert.equal(bt.status, 0, `${short(c.path)}: ${bt.stderr}`);
        assert.match(bt.stdout, /FUNC '/, short(c.path));
      }
    }
  }
  assert.ok(n >= 60, `compiled ${n}`);
});

test("bpftool gen object links our objects (libbpf's static linker)", (t) => {
  if (!tool(t, "bpftool")) return;
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-link-"));
  for (const c of ALL.filter((x) => x.path.includes("/examples/"))) {
    const r = compileFile(c.path, { target: c.target });
    mustCompile(r);
    const f = join(dir, "in.o");
    writeFileSync(f, r.bytes!);
    const g = spawnSync("bpftool", ["gen", "object", join(dir, "out.o"), f], { encoding: "utf8" });
    assert.equal(g.status, 0, `${short(c.path)}: ${g.stderr}`);
  }
});

test("the kernel verifier accepts every object", { timeout: 170_000 }, async (t) => {
  if (!needKernel(t)) return;
  const counts: string[] = [];
  for (const c of ALL.filter((x) => x.target !== "linux-7.1")) {
    const key = short(c.path);
    const r = compileFile(c.path, { target: c.target });
    const obj = mustCompile(r);
    const lenient = key in LENIENT;
    const v = await kernelVerify(obj, { target: c.target as "iouring-v2", strict: !lenient });
    if (v.verdict === "unavailable") {
      t.skip(`kernel oracle: ${v.reason}`);
      return;
    }
    assert.equal(
      v.verdict,
      "accept",
      `${key} (${v.mode}): ${v.reason}\n${v.log.split("\n").slice(-25).join("\n")}`,
    );
    if (!lenient) assert.equal(v.mode, "strict", key);
    counts.push(
      `${key}: ${r.programs![0]!.insns} insns, kernel processed ${v.processedInsns} (${v.mode})`,
    );
  }
  for (const c of counts) t.diagnostic(c);
});

test("several programs in one object keep their own globals", () => {
  const a = `import { Cqe, emit, u64 } from "ioubpf/lang";\nlet n: u64 = 0;\nexport function onCompletion(cqe: Cqe): void { n++; emit({ userData: n + cqe.userData, res: 0 }); }\n`;
  const r = compile(
    [
      { path: "a.bpf.ts", text: a },
      { path: "b.bpf.ts", text: a },
    ],
    { target: "iouring-v2" },
  );
  const obj = mustCompile(r);
  const names = obj.symbols.map((s) => s.name);
  assert.ok(names.includes("a_n") && names.includes("b_n"), names.join(","));
  assert.deepEqual(
    obj.sections.filter((s) => s.name.startsWith("iouring")).map((s) => s.name),
    ["iouring/a", "iouring/b"],
  );
  const dup = compile(
    [
      { path: "x/a.bpf.ts", text: a },
      { path: "y/a.bpf.ts", text: a },
    ],
    { target: "iouring-v2" },
  );
  assert.equal(dup.bytes, undefined);
  assert.ok(dup.diagnostics.some((d) => d.code === "E7005"));
});

test("invalid programs give diagnostics, never an exception or an object", () => {
  const dir = join(ROOT, "test/programs/invalid");
  let n = 0;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".bpf.ts")) continue;
    const text = readFileSync(join(dir, f), "utf8");
    // The program's target is named in a `// target:` comment near the top (as for `ioubpf check`).
    const target = /\/\/ target: ([a-z0-9.-]+)/.exec(text.split("\n").slice(0, 5).join("\n"))?.[1];
    const r = compile([{ path: join(dir, f), text }], { target: target ?? "iouring-v2" });
    assert.equal(r.bytes, undefined, f);
    assert.ok(
      r.diagnostics.some((d) => d.severity === "error"),
      f,
    );
    n++;
  }
  assert.ok(n > 20);
});
