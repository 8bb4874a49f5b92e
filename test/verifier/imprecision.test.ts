// Programs the privileged kernel accepts and ours used to reject (issue 16, "Imprecision"):
// clang's own loops fixture steps a map value pointer one past the value without
// dereferencing it. Ours may reject it only for the io_uring target's own rules (it is an XDP
// program returning `(sum + j) & 3`, not the constant 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../src/elf/reader.js";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { kernelVerify } from "../../src/kernel/oracle.js";
import { verifyObject } from "../../src/verifier/index.js";
import { TARGET_ONLY_CODES } from "./differential.js";

const clang = (() => {
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
const tmp = mkdtempSync(join(tmpdir(), "ioubpf-imprec-"));

for (const opt of ["-O1", "-O2"]) {
  test(
    `clang's loops fixture ${opt}: no rejection other than a target rule`,
    { skip: clang ? false : "clang-19 not installed" },
    async (t) => {
      const out = join(tmp, `loops${opt}.o`);
      execFileSync("clang-19", [
        opt,
        "-g",
        "-target",
        "bpf",
        "-mcpu=v3",
        `-I/usr/include/${arch}-linux-gnu`,
        "-c",
        "test/fixtures/c/loops.c",
        "-o",
        out,
      ]);
      const { object } = readElf(readFileSync(out), out);
      assert.ok(object);
      const r = verifyObject(object, { target: "iouring-v2", file: out });
      const errors = r.diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(
        errors.filter((d) => !TARGET_ONLY_CODES.has(d.code)).map((d) => `${d.code} ${d.message}`),
        [],
      );
      const oracle = kernelOracleAvailable();
      if (!oracle.ok) return t.skip(`kernel oracle unavailable: ${oracle.reason}`);
      const k = await kernelVerify(object, { target: "iouring-v2", strict: false });
      assert.equal(k.verdict, "accept", k.reason);
    },
  );
}
