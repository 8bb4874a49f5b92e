// Differential testing: every conformance case the kernel can load runs in the VM and on the
// real kernel (BPF_PROG_TEST_RUN through src/kernel/oracle.ts); their r0 must agree with each
// other and with the expectation. Each case is wrapped as a subprogram of a main program that
// stores the case's full 64-bit r0 into the 16-byte context, because the kernel returns only 32
// bits of r0. Skips (saying why) when the oracle cannot run here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../src/elf/reader.js";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { kernelRun } from "../../src/kernel/oracle.js";
import type { ObjFile } from "../../src/elf/types.js";
import { SHF, SHT } from "../../src/elf/types.js";
import { parseConformance } from "../../src/vm/conformance.js";
import { loadObject } from "../../src/vm/loader.js";
import { decodeSqe } from "../../src/vm/ring.js";
import { defaultScenario } from "../../src/vm/scenario.js";
import { simulate } from "../../src/vm/simulate.js";
import { assembleMany } from "./llvm-asm.js";

const dir = join(import.meta.dirname, "conformance");
const avail = kernelOracleAvailable();

/** Moves the llvm-mc `.text` program into an iouring.s/ section with a license, as a loader expects. */
function asIouringObject(obj: ObjFile): ObjFile {
  const name = "iouring.s/case";
  const rename = (s: string) => (s === ".text" ? name : s);
  return {
    sections: [
      ...obj.sections.map((s) => ({ ...s, name: rename(s.name) })),
      {
        name: "license",
        type: SHT.PROGBITS,
        flags: SHF.ALLOC | SHF.WRITE,
        data: new TextEncoder().encode("GPL\0"),
        addralign: 1,
      },
    ],
    symbols: obj.symbols.map((s) =>
      s.section === undefined ? s : { ...s, section: rename(s.section) },
    ),
    relocations: new Map(
      [...obj.relocations].map(([k, v]) => [
        rename(k),
        v.map((r) =>
          typeof r.symbol === "string"
            ? r
            : { ...r, symbol: { section: rename(r.symbol.section) } },
        ),
      ]),
    ),
  };
}

const wrap = (asm: string) =>
  `  .globl prog\n  .type prog,@function\nprog:\n  r6 = r1\n  call case_main\n  *(u64 *)(r6 + 0) = r0\n  r0 = 0\n  exit\ncase_main:\n${asm}`;

test(
  "VM and kernel agree on every kernel-loadable conformance case",
  {
    skip: avail.ok ? false : `kernel oracle unavailable: ${(avail as { reason?: string }).reason}`,
    timeout: 110_000,
  },
  async () => {
    const cases = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => parseConformance(readFileSync(join(dir, f), "utf8")).cases)
      .filter((c) => c.kernel && c.assembler === "llvm" && !c.mem && c.r0 !== undefined);
    const objs = assembleMany(cases.map((c) => wrap(c.asm))).map(asIouringObject);
    const failures: string[] = [];
    let compared = 0;
    let mode = "";
    for (const [i, c] of cases.entries()) {
      const obj = objs[i]!;
      const { loaded } = loadObject(obj, { maxInsns: c.maxInsns ?? 1_000_000 });
      const ctx = loaded!.vm.mem.add("ctx", 16);
      const vm = loaded!.vm.run(loaded!.programs[0]!.slot, [loaded!.vm.mem.addressOf(ctx)]);
      const vmR0 = ctx.view.getBigUint64(0, true);
      // Lenient (in-process) mode: this compares execution, not verdicts, and avoids a child process per case.
      const k = await kernelRun(obj, { target: "iouring-v2", strict: false });
      mode = k.mode;
      if (k.verdict !== "accept") {
        failures.push(`${c.name}: kernel ${k.verdict}: ${k.reason ?? ""}`.slice(0, 300));
        continue;
      }
      const kr0 = new DataView(k.ctxOut!.buffer, k.ctxOut!.byteOffset, 16).getBigUint64(0, true);
      if (kr0 !== c.r0)
        failures.push(
          `${c.name}: kernel r0 0x${kr0.toString(16)}, expected 0x${c.r0!.toString(16)}`,
        );
      if (vm.fault) failures.push(`${c.name}: VM fault: ${vm.fault.message}`);
      else if (vmR0 !== kr0)
        failures.push(`${c.name}: VM r0 0x${vmR0.toString(16)} != kernel r0 0x${kr0.toString(16)}`);
      compared++;
    }
    assert.deepEqual(failures, [], `mode ${mode}`);
    assert.ok(compared > 100, `only ${compared} cases compared`);
  },
);

// One run of an io_uring program: the VM's simulated ring and the kernel's recording shims
// must see the same helper calls (queued SQEs, emitted CQEs, reaps) and leave the same
// context and maps.
const RING_PROGRAM = `
  .globl prog
  .type prog,@function
prog:
  r6 = r1
  r7 = 0
  r8 = 0
  r9 = 5
reap:
  r1 = r6
  r2 = 1
  r3 = r10
  r3 += -16
  r4 = 16
  call 166
  if r0 != 0 goto done
  r1 = *(s32 *)(r10 - 8)
  r7 += r1
  r8 += 1
  r9 += -1
  if r9 != 0 goto reap
done:
  r1 = r6
  r2 = 2
  r3 = *(u64 *)(r6 + 0)
  r4 = r7
  r5 = r8
  call 165
  r1 = r6
  r2 = 7
  r3 = 1
  r4 = 0
  r5 = 0
  call 165
  r2 = 0
  *(u64 *)(r10 - 64) = r2
  *(u64 *)(r10 - 56) = r2
  *(u64 *)(r10 - 48) = r2
  *(u64 *)(r10 - 40) = r2
  *(u64 *)(r10 - 32) = r2
  *(u64 *)(r10 - 24) = r2
  *(u64 *)(r10 - 16) = r2
  *(u64 *)(r10 - 8) = r2
  r2 = 23
  *(u8 *)(r10 - 64) = r2
  *(u32 *)(r10 - 40) = r7
  *(u64 *)(r10 - 32) = r8
  r2 = 1
  *(u16 *)(r10 - 16) = r2
  r1 = r6
  r2 = r10
  r2 += -64
  r3 = 64
  call 164
  *(u32 *)(r6 + 8) = r8
  r1 = 1
  *(u32 *)(r6 + 12) = r1
  r0 = 0
  exit
`;

test(
  "VM and kernel agree on one run's io_uring helper calls",
  {
    skip: avail.ok ? false : `kernel oracle unavailable: ${(avail as { reason?: string }).reason}`,
  },
  async () => {
    const obj = asIouringObject(assembleMany([RING_PROGRAM])[0]!);
    const cqes = [
      { userData: 11n, res: 100, flags: 0 },
      { userData: 12n, res: -5, flags: 1 },
      { userData: 13n, res: 7, flags: 0 },
    ];
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, 0x99n, true);
    const k = await kernelRun(obj, {
      target: "iouring-v2",
      strict: false,
      ctx,
      cqes: [[], cqes],
      nCq: 4,
    });
    assert.equal(k.verdict, "accept", `${k.reason}\n${k.log.slice(-1000)}`);

    const sc = {
      ...defaultScenario(),
      userData: 0x99n,
      cqEntries: [64, 8, 8, 8],
      limits: { ...defaultScenario().limits, runs: 1, steps: 1, insnsPerRun: 100_000 },
    };
    sc.cqes = cqes.map((c) => ({ cq: 1, ...c }));
    const vm = simulate(obj, sc);
    assert.deepEqual(
      vm.diagnostics.filter((d) => d.severity === "error"),
      [],
    );

    // Reaps: three CQEs, then -ENOENT.
    assert.equal(k.reaped, 3);
    assert.deepEqual(
      vm.events.filter((e) => e.type === "reap").map((e) => (e as { ret: number }).ret),
      [0, 0, 0, -2],
    );
    // Emits: the valid one on CQ 2 (sum 102, count 3); CQ 7 exists in neither (nCq 4).
    const vmEmits = vm.events.filter(
      (e) => e.type === "emit" && (e as { ret: number }).ret === 0,
    ) as { cq: number; userData: bigint; res: number; flags: number }[];
    assert.deepEqual(
      k.emitted.map((e) => [e.cq, e.userData, e.res, e.flags]),
      vmEmits.map((e) => [e.cq, e.userData, e.res, e.flags]),
    );
    assert.deepEqual(
      k.emitted.map((e) => [e.cq, e.res, e.flags]),
      [[2, 102, 3]],
    );
    // Queued SQEs: byte-identical after decoding.
    const vmSqes = vm.events
      .filter((e) => e.type === "submit" && (e as { by: string }).by === "run 1")
      .map((e) => (e as { sqe: unknown }).sqe);
    assert.deepEqual(
      k.sqes.map((b) => decodeSqe(b, 37)),
      vmSqes,
    );
    // Context written back: wait_nr = 3, wait_idx = 1.
    const kv = new DataView(k.ctxOut!.buffer, k.ctxOut!.byteOffset, 16);
    const exit = vm.events.find((e) => e.type === "exit") as {
      ctxWrites: Record<string, [number, number]>;
    };
    assert.deepEqual(
      [kv.getUint32(8, true), kv.getUint32(12, true)],
      [exit.ctxWrites.wait_nr![1], exit.ctxWrites.wait_idx![1]],
    );
  },
);

test(
  "VM and kernel agree on a clang-built program's first run (BTF map, .bss, subprogram)",
  {
    skip: avail.ok ? false : `kernel oracle unavailable: ${(avail as { reason?: string }).reason}`,
  },
  async () => {
    const dirO = mkdtempSync(join(tmpdir(), "ioubpf-kd-"));
    const out = join(dirO, "counter.bpf.o");
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
      out,
    ]);
    const r = readElf(new Uint8Array(readFileSync(out)), out);
    const obj = r.object!;
    const k = await kernelRun(obj, { target: "iouring-v2", strict: false, nCq: 2 });
    assert.equal(k.verdict, "accept", k.reason);
    const vm = simulate(obj, {
      ...defaultScenario(),
      cqEntries: [64, 8],
      limits: { ...defaultScenario().limits, runs: 1, steps: 1, insnsPerRun: 100_000 },
    });
    const vmSqes = vm.events
      .filter((e) => e.type === "submit" && (e as { by: string }).by === "run 1")
      .map((e) => (e as { sqe: unknown }).sqe);
    assert.equal(k.sqes.length, 4);
    assert.deepEqual(
      k.sqes.map((b) => decodeSqe(b, 37)),
      vmSqes,
    );
    assert.deepEqual(Buffer.from(k.globals[".bss"]!).toString("hex"), "04000000");
    const kStats0 = k.maps.stats!.find((e) => Buffer.from(e.key).toString("hex") === "00000000")!;
    assert.equal(Buffer.from(kStats0.value).toString("hex"), vm.final!.maps.stats!["00000000"]);
  },
);
