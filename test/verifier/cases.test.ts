// Runs the verifier case files (test/verifier/cases/*.yaml, format in docs/verifier.md): each
// case is assembled with our assembler, checked by our verifier (verdict, rule code, message
// substring), and, where the kernel oracle can judge it, loaded into the kernel, which must
// agree (the privileged kernel; the strict-mode one for a rejection by an unprivileged rule)
// — or, for a case marked `by-design`, must accept what we reject for that reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { kernelVerify } from "../../src/kernel/oracle.js";
import { VerifierCodes } from "../../src/verifier/codes.js";
import { verifyObject } from "../../src/verifier/index.js";
import { buildObject, type MapSpec } from "./build.js";
import { STRICT_RULE_CODES } from "./differential.js";

interface Case {
  name: string;
  target?: string;
  section?: string;
  license?: string;
  maps?: MapSpec[];
  asm: string;
  extra?: string;
  expect: "accept" | "reject";
  code?: string;
  warning?: string;
  message?: string;
  "by-design"?: string;
  /** Verify with the unprivileged kernel's Spectre-v1 mitigations; the kernel check then uses strict mode. */
  unprivileged?: boolean;
  kernel?: "skip";
}

const DIR = "test/verifier/cases";
const all: { file: string; c: Case }[] = [];
for (const f of readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort())
  for (const c of parse(readFileSync(join(DIR, f), "utf8")) as Case[]) all.push({ file: f, c });

const oracle = kernelOracleAvailable();

test("case files: at least 150 cases with unique names", () => {
  assert.ok(all.length >= 150, `${all.length} cases`);
  const names = all.map((x) => x.c.name);
  assert.equal(new Set(names).size, names.length, "names are unique");
});

test("every rule code has a case", () => {
  const covered = new Set(
    all.flatMap(({ c }) => [c.code, c.warning].filter((x): x is string => Boolean(x))),
  );
  const missing = Object.entries(VerifierCodes).filter(([, code]) => !covered.has(code));
  assert.deepEqual(missing, []);
});

for (const { file, c } of all) {
  test(`${file}: ${c.name}`, async (t) => {
    const target = c.target ?? "iouring-v2";
    const asm = c.asm
      .split("\n")
      .map((l) => (l.trim() === "" || /^[.\w]+:$/.test(l.trim()) ? l : `\t${l}`))
      .join("\n");
    const obj = buildObject(asm, {
      ...(c.section ? { section: c.section } : {}),
      ...(c.maps ? { maps: c.maps } : {}),
      ...(c.license ? { license: c.license } : {}),
      ...(c.extra ? { extra: c.extra } : {}),
    });
    assert.ok(typeof obj !== "string", String(obj));
    const r = verifyObject(obj, { target, unprivileged: c.unprivileged === true });
    const first = r.diagnostics.find((d) => d.severity === "error");
    if (c.expect === "accept") assert.equal(r.ok, true, formatDiagnostics(r.diagnostics));
    else {
      assert.equal(r.ok, false, "expected a rejection");
      if (c.code) assert.equal(first?.code, c.code, formatDiagnostics(r.diagnostics));
      if (c.message)
        assert.ok(
          first?.message.includes(c.message),
          `message '${first?.message}' contains '${c.message}'`,
        );
    }
    if (c.warning)
      assert.ok(
        r.diagnostics.some((d) => d.severity === "warning" && d.code === c.warning),
        `warning ${c.warning}`,
      );
    if (c.kernel === "skip" || target === "linux-7.1") return;
    if (!oracle.ok) {
      t.diagnostic(`kernel oracle unavailable: ${oracle.reason}`);
      return;
    }
    // The kernel we match is the privileged one (lenient mode, as the io_uring loader loads);
    // a rejection by one of the unprivileged rules we keep must match the strict-mode kernel.
    const unprivRule =
      c.unprivileged === true ||
      (c.expect === "reject" &&
        !c["by-design"] &&
        first !== undefined &&
        STRICT_RULE_CODES.has(first.code));
    const k = await kernelVerify(obj, { target: target as "iouring-v2", strict: unprivRule });
    const want = c["by-design"] ? "accept" : c.expect;
    assert.equal(
      k.verdict,
      want,
      `${unprivRule ? "strict-mode" : "privileged"} kernel: ${k.reason ?? ""}${c["by-design"] ? ` (by design: ${c["by-design"]})` : ""}`,
    );
  });
}
