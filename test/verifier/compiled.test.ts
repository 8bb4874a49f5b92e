// The differential harness over real programs: our compiler's output (every example and
// every valid test program, at -O2 and -O0) and clang's objects (bench/c), each program
// verified by us and by the privileged kernel (the oracle's lenient mode, as the io_uring
// loader loads), with the four outcomes recorded. Our verifier must accept all our
// compiler's output, and nothing the kernel rejects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/codegen/index.js";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import { readElf } from "../../src/elf/reader.js";
import type { ObjFile } from "../../src/elf/types.js";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { kernelVerify } from "../../src/kernel/oracle.js";
import { verifyObject } from "../../src/verifier/index.js";

function targetOf(text: string): string {
  const m = /\/\/\s*target:\s*(\S+)/.exec(text.split("\n").slice(0, 5).join("\n"));
  return m?.[1] ?? "iouring-v2";
}

const sources: string[] = [];
// The examples' iouring-v2 forms: the host kernel oracle loads only the RFC targets.
for (const d of readdirSync("examples"))
  for (const f of readdirSync(join("examples", d, "v2")))
    if (f.endsWith(".bpf.ts")) sources.push(join("examples", d, "v2", f));
for (const f of readdirSync("test/programs/valid"))
  if (f.endsWith(".bpf.ts")) sources.push(join("test/programs/valid", f));

test("sources to check were found", () => {
  assert.ok(sources.filter((s) => s.startsWith("examples")).length >= 5);
  assert.ok(sources.length >= 40);
});

type Outcome = "acceptAccept" | "rejectReject" | "oursOnlyAccept" | "kernelOnlyAccept";
const outcomes: Record<"compiled" | "clang", Record<Outcome, string[]>> = {
  compiled: { acceptAccept: [], rejectReject: [], oursOnlyAccept: [], kernelOnlyAccept: [] },
  clang: { acceptAccept: [], rejectReject: [], oursOnlyAccept: [], kernelOnlyAccept: [] },
};
const oracle = kernelOracleAvailable();

/** Loads each program of `object` in the privileged kernel and records the outcome. */
async function record(
  kind: "compiled" | "clang",
  label: string,
  object: ObjFile,
  target: string,
  ours: ReturnType<typeof verifyObject>,
): Promise<void> {
  for (const p of ours.stats.programs) {
    const k = await kernelVerify(object, {
      target: target as "iouring-v2",
      program: p.name,
      strict: false,
    });
    assert.notEqual(k.verdict, "unavailable", `${label} ${p.name}: ${k.reason}`);
    const key: Outcome =
      p.verdict === "accept"
        ? k.verdict === "accept"
          ? "acceptAccept"
          : "oursOnlyAccept"
        : k.verdict === "accept"
          ? "kernelOnlyAccept"
          : "rejectReject";
    outcomes[kind][key].push(`${label} ${p.name}${k.reason ? `: ${k.reason}` : ""}`);
  }
}

for (const path of sources) {
  const text = readFileSync(path, "utf8");
  const target = targetOf(text);
  for (const opt of [2, 0] as const) {
    test(
      `verifier accepts ${path} -O${opt} (${target})`,
      {
        skip:
          target === "linux-7.1"
            ? "the host kernel has no io_uring_bpf_ops (linux-7.1 objects load in the guest)"
            : false,
      },
      async (t) => {
        const c = compile({ path, text }, { target, opt });
        assert.ok(c.object, `compiles: ${formatDiagnostics(c.diagnostics)}`);
        const r = verifyObject(c.object!, { target, file: path });
        assert.ok(r.stats.programs.length > 0);
        assert.equal(r.ok, true, formatDiagnostics(r.diagnostics));
        if (!oracle.ok) return t.diagnostic(`kernel oracle unavailable: ${oracle.reason}`);
        await record("compiled", `${path} -O${opt}`, c.object!, target, r);
      },
    );
  }
}

// clang's objects: accepted by ours wherever the kernel oracle accepts them.
const clangOk = (() => {
  try {
    execFileSync("clang-19", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const arch = (() => {
  try {
    return execFileSync("uname", ["-m"], { encoding: "utf8" }).trim();
  } catch {
    return "x86_64";
  }
})();
const tmp = mkdtempSync(join(tmpdir(), "ioubpf-vc-"));
const cFiles = readdirSync("bench/c")
  .filter((f) => f.endsWith(".bpf.c"))
  .map((f) => join("bench/c", f));

for (const c of cFiles) {
  test(
    `clang object ${c}: ours accepts where the kernel accepts`,
    { skip: clangOk ? false : "clang-19 not installed" },
    async (t) => {
      const out = join(tmp, c.replace(/\W/g, "_") + ".o");
      execFileSync("clang-19", [
        "-O2",
        "-g",
        "-target",
        "bpf",
        "-mcpu=v3",
        `-I/usr/include/${arch}-linux-gnu`,
        "-c",
        c,
        "-o",
        out,
      ]);
      assert.ok(existsSync(out));
      const { object, diagnostics } = readElf(readFileSync(out), out);
      assert.ok(object, formatDiagnostics(diagnostics));
      const target = targetOf(readFileSync(c, "utf8"));
      const ours = verifyObject(object!, { target, file: out });
      if (!oracle.ok) {
        t.diagnostic(
          `kernel oracle unavailable: ${oracle.reason}; only checking that ours accepts`,
        );
        assert.equal(ours.ok, true, formatDiagnostics(ours.diagnostics));
        return;
      }
      await record("clang", c, object!, target, ours);
    },
  );
}

test("four outcomes over compiled and clang programs: none ours-only, none kernel-only", (t) => {
  if (!oracle.ok) return t.skip(`kernel oracle unavailable: ${oracle.reason}`);
  for (const kind of ["compiled", "clang"] as const) {
    const o = outcomes[kind];
    t.diagnostic(
      `${kind}: ${Object.entries(o)
        .map(([k, v]) => `${k} ${v.length}`)
        .join(", ")}`,
    );
    for (const k of ["rejectReject", "oursOnlyAccept", "kernelOnlyAccept"] as const)
      for (const line of o[k]) t.diagnostic(`${kind} ${k}: ${line}`);
    assert.deepEqual(o.oursOnlyAccept, [], `${kind}: accepted by us, rejected by the kernel`);
    assert.deepEqual(o.kernelOnlyAccept, [], `${kind}: accepted by the kernel, rejected by us`);
  }
  // Every compiled program was loaded (all are accepted: the kernel accepts our compiler's output).
  const compiledSources = sources.filter(
    (p) => targetOf(readFileSync(p, "utf8")) !== "linux-7.1",
  ).length;
  assert.ok(outcomes.compiled.acceptAccept.length >= 2 * compiledSources);
  assert.deepEqual(outcomes.compiled.rejectReject, []);
  if (clangOk) assert.ok(outcomes.clang.acceptAccept.length >= cFiles.length);
});
