// `ioubpf check` end to end (in-process), and the per-target tables.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../cli/main.js";
import {
  TARGET_NAMES,
  getTarget,
  helperProto,
  opcodeAllowed,
  contextField,
} from "../../src/targets/targets.js";

function captureIO() {
  const io = {
    out: "",
    err: "",
    color: false,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

const dir = mkdtempSync(join(tmpdir(), "ioubpf-check-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const good = join(dir, "good.bpf.ts");
const bad = join(dir, "bad.bpf.ts");
const warn = join(dir, "warn.bpf.ts");
writeFileSync(
  good,
  `import { Cqe, emit } from "ioubpf/lang";\nexport function onCompletion(cqe: Cqe): void { emit({ userData: cqe.userData, res: cqe.res }); }\n`,
);
writeFileSync(
  bad,
  `import { Cqe } from "ioubpf/lang";\nexport function onCompletion(cqe: Cqe): void { cqe.res = 1; }\n`,
);
writeFileSync(
  warn,
  `import { u32 } from "ioubpf/lang";\nlet a: u32 = 1;\nexport function onStart(): void { a = 10 / a; }\n`,
);

test("check: exit 0 for a valid program, 1 with a code frame for an invalid one", async () => {
  const io = captureIO();
  assert.equal(await runCli(["check", good], io), 0);
  assert.equal(io.err, "");
  const io2 = captureIO();
  assert.equal(await runCli(["check", good, bad], io2), 1);
  assert.match(
    io2.err,
    /bad\.bpf\.ts:2:48: error E2022: cannot assign to cqe\.res: a Cqe is read-only/,
  );
  assert.match(io2.err, /\^~~~~~~/);
});

test("check: warnings do not fail; --target applies target rules; --json is data", async () => {
  const io = captureIO();
  assert.equal(await runCli(["check", warn], io), 0);
  assert.match(io.err, /warning E2140/);
  const io2 = captureIO();
  assert.equal(await runCli(["check", "--target", "iouring-v1", good], io2), 1);
  assert.match(io2.err, /E3010.*iouring-v1 cannot observe completion results/);
  assert.match(
    io2.err,
    /hint: link the BPF request after the request instead, or use --target iouring-v2/,
  );
  const io3 = captureIO();
  assert.equal(await runCli(["check", "--json", good, bad], io3), 1);
  const j = JSON.parse(io3.out);
  assert.equal(j.ok, false);
  assert.equal(j.errorCount, 1);
  assert.equal(j.diagnostics[0].code, "E2022");
  assert.deepEqual(
    j.files.map((f: { ok: boolean }) => f.ok),
    [true, false],
  );
});

test("check: unknown target or cpu is a usage error (2); a missing file is bad input (1)", async () => {
  assert.equal(await runCli(["check", "--target", "nope", good], captureIO()), 2);
  assert.equal(await runCli(["check", "--mcpu", "v9", good], captureIO()), 2);
  const io = captureIO();
  assert.equal(await runCli(["check", join(dir, "missing.bpf.ts")], io), 1);
  assert.match(io.err, /E9001/);
});

test("target tables: one table per target, facts from abi.md", () => {
  const [v1, v2, l71] = TARGET_NAMES.map(getTarget);
  assert.ok(v1 && v2 && l71);
  // Never share a number table between targets.
  assert.notEqual(v1.helpers, v2.helpers);
  assert.notEqual(v2.helpers, l71.helpers);
  assert.equal(helperProto(v1, "iouring_queue_sqe")?.id, 163);
  assert.equal(helperProto(v2, "iouring_queue_sqe")?.id, 164);
  assert.equal(helperProto(v2, "iouring_emit_cqe")?.id, 165);
  assert.equal(helperProto(v2, "iouring_reap_cqe")?.fixedSize, 16);
  assert.equal(helperProto(v2, "copy_to_user")?.id, 167);
  assert.equal(helperProto(v2, "copy_from_user")?.sleepableOnly, true);
  assert.equal(helperProto(v1, "copy_from_user"), undefined);
  assert.equal(v1.progType, 31);
  assert.equal(v1.sections.normal, "iouring");
  assert.deepEqual([v2.sections.normal, v2.sections.sleepable], ["iouring/", "iouring.s/"]);
  assert.equal(v1.context.kind, "opaque");
  assert.deepEqual(
    ["user_data", "wait_nr", "wait_idx"].map((n) => [
      contextField(v2, n)?.offset,
      contextField(v2, n)?.size,
    ]),
    [
      [0, 8],
      [8, 4],
      [12, 4],
    ],
  );
  assert.ok(
    opcodeAllowed(v2, 36) &&
      !opcodeAllowed(v2, 37) &&
      opcodeAllowed(l71, 64) &&
      !opcodeAllowed(l71, 65),
  );
  assert.equal(v1.entryPoints.onCompletion.available, false);
  assert.equal(v2.builtins.emit.available, true);
  assert.equal(l71.builtins.emit.available, true); // into the iou_emit ring buffer
  assert.equal(l71.sqeCqField, false);
  assert.equal(l71.returnRule.kind, "values");
  assert.ok(l71.codegenSupported && l71.requiresBtf && l71.requiresGplLicense);
});
