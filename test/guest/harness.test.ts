// The guest harness on a real Linux 7.x kernel, in ONE boot: the kernel's version, the clang
// reference nop-pump and copy (bench/c/linux-7.1) loaded by the libbpf C loader with their
// effects checked (1000 NOP completions; a 100,003-byte file copied byte for byte on the
// guest's tmpfs), and node running in the guest.
// Skips (saying why) without qemu or the Debian mirror, except under CI, where it fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  guestAvailability,
  lastGuestTimings,
  libbpfLoaderPath,
  parseLoaderJson,
  clangBpfArgs,
  runGuestBatch,
  type LoaderJson,
  type GuestCommandResult,
} from "../../src/kernel/guest/index.js";

const C_DIR = join(import.meta.dirname, "..", "..", "bench", "c", "linux-7.1");

function loaderOutput(r: GuestCommandResult | undefined): LoaderJson {
  assert.ok(r, "command result missing");
  const j = parseLoaderJson(r.stdout);
  if (!j)
    assert.fail(
      `loader printed no JSON (exit ${r.exitCode}): ${r.stdout.slice(0, 400)} ${r.stderr.slice(0, 400)}`,
    );
  return j;
}

/** Deterministic bytes (xorshift), so the host knows the checksum the guest must see. */
function pseudoRandom(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

test("guest: Linux 7.x boots; clang nop-pump and copy run through the libbpf loader; node runs", async (t) => {
  const avail = await guestAvailability();
  const clang = spawnSync("clang-19", ["--version"]).status === 0;
  const why = !avail.ok ? avail.why : !clang ? "no clang-19 on PATH" : undefined;
  if (why) {
    if (process.env.CI) assert.fail(`guest harness unavailable under CI: ${why}`);
    console.log(`skipped: ${why}`);
    t.skip(why);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "ioubpf-guest-test-"));
  try {
    const objs: Record<string, string> = {};
    for (const name of ["nop-pump", "copy"]) {
      objs[name] = join(work, `${name}.o`);
      const r = spawnSync("clang-19", clangBpfArgs(join(C_DIR, `${name}.bpf.c`), objs[name]!), {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, `clang-19 ${name}: ${r.stderr}`);
    }
    const SIZE = 100_003;
    const input = pseudoRandom(SIZE);
    const inputSha = createHash("sha256").update(input).digest("hex");
    const loader = await libbpfLoaderPath();
    const run = await runGuestBatch({
      withNode: true,
      files: [
        { guestPath: "/bin/iou-libbpf-loader", hostPath: loader, mode: 0o755 },
        { guestPath: "/root/nop-pump.o", hostPath: objs["nop-pump"] },
        { guestPath: "/root/copy.o", hostPath: objs["copy"] },
        { guestPath: "/tmp/in", data: input },
      ],
      commands: [
        { id: "uname", argv: ["uname", "-r"] },
        {
          id: "nop-pump",
          argv: ["iou-libbpf-loader", "/root/nop-pump.o", "--timeout", "60"],
          timeoutMs: 120_000,
        },
        {
          id: "copy",
          argv: [
            "iou-libbpf-loader",
            "/root/copy.o",
            "--fd",
            "IN_FD=/tmp/in:r",
            "--fd",
            "OUT_FD=/tmp/out:w",
            "--buf",
            "BUF=16384",
            "--set",
            `SIZE=${SIZE}`,
            "--timeout",
            "60",
          ],
          timeoutMs: 120_000,
        },
        { id: "cmp", argv: ["cmp", "/tmp/in", "/tmp/out"] },
        { id: "sha", argv: ["sha256sum", "/tmp/out"] },
        {
          id: "node",
          argv: [
            "node",
            "-e",
            "console.log(JSON.stringify({ v: process.version, sum: [1,2,3].reduce((a, b) => a + b) }))",
          ],
          timeoutMs: 120_000,
        },
      ],
    });
    const byId = new Map(run.results.map((r) => [r.id, r]));
    console.log(
      `guest kernel ${run.kernelVersion} (Debian package ${run.packageVersion}); qemu ${run.bootMs} ms` +
        (lastGuestTimings
          ? `; fetch ${lastGuestTimings.fetchMs} ms; initramfs ${lastGuestTimings.initramfsMs} ms`
          : ""),
    );
    assert.match(run.kernelVersion, /^7\.\d+/, "a Linux 7.x kernel");
    assert.equal(byId.get("uname")?.stdout.trim(), run.kernelVersion);
    assert.equal(run.results.length, 6, "every command reported");

    const nop = loaderOutput(byId.get("nop-pump"));
    console.log(
      `nop-pump: processed ${nop.processed} insns, stop ${nop.stop}, emits ${JSON.stringify(nop.emits)}, ${nop.elapsedNs} ns`,
    );
    assert.ok(nop.loaded && nop.attached, nop.error);
    assert.equal(nop.stop, "stopped");
    assert.equal(nop.ret, 0);
    assert.ok((nop.processed ?? 0) > 0, "the verifier's processed count was captured");
    assert.equal(nop.emits.length, 1);
    assert.equal(nop.emits[0]!.res, 1000, "1000 NOP completions");
    assert.equal(nop.globals["completed"], "1000");
    assert.equal(nop.globals["queued"], "1000");
    assert.equal(nop.globals["nop_pump__iou_error"], "0");
    assert.equal(nop.globals["nop_pump__iou_inflight"], "0");

    const copy = loaderOutput(byId.get("copy"));
    console.log(
      `copy: processed ${copy.processed} insns, stop ${copy.stop}, emits ${JSON.stringify(copy.emits)}, ${copy.elapsedNs} ns`,
    );
    assert.ok(copy.loaded && copy.attached, copy.error);
    assert.equal(copy.stop, "stopped");
    assert.deepEqual(
      copy.emits.map((e) => e.res),
      [SIZE],
    );
    assert.equal(copy.globals["offset"], String(SIZE));
    assert.equal(
      byId.get("cmp")?.exitCode,
      0,
      `cmp: ${byId.get("cmp")?.stdout}${byId.get("cmp")?.stderr}`,
    );
    assert.equal(byId.get("sha")?.stdout.split(/\s+/)[0], inputSha, "the copy is byte-identical");

    const node = byId.get("node");
    console.log(`node -e in the guest: ${node?.ms} ms`);
    assert.equal(node?.exitCode, 0, node?.stderr);
    assert.deepEqual(JSON.parse(node!.stdout), { v: process.version, sum: 6 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("libbpf loader on the host: usage errors exit 2; a missing object is a JSON error", async (t) => {
  let loader: string;
  try {
    loader = await libbpfLoaderPath();
  } catch (e) {
    const why = (e as { why?: string }).why ?? String(e);
    if (process.env.CI) assert.fail(`libbpf loader unavailable under CI: ${why}`);
    console.log(`skipped: ${why}`);
    t.skip(why);
    return;
  }
  const usage = spawnSync(loader, ["--set"], { encoding: "utf8" });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^usage: iou-libbpf-loader OBJ/);
  const missing = spawnSync(loader, ["/nonexistent/x.o"], { encoding: "utf8" });
  assert.equal(missing.status, 1);
  const out = JSON.parse(missing.stdout) as LoaderJson;
  assert.equal(out.loaded, false);
  assert.equal(out.stop, "error");
  assert.match(out.error ?? "", /cannot open \/nonexistent\/x\.o/);
});
