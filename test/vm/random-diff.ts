// The engine of the random differential test (random-diff.test.ts, bench/vm-diff.ts): draws
// random programs and inputs (random-programs.ts), runs each pair in the VM and on the real
// kernel, and reports every difference.
//
// Two kinds of cases:
// - *ALU batches*: `bodiesPerLoad` random bodies in one BPF_PROG_TYPE_SYSCALL program, loaded
//   once in this process (lenient, no child) with progLoad, then run with BPF_PROG_TEST_RUN on
//   `inputsPerLoad` random contexts. Each (body, context slice) is one pair; compared: the
//   final registers and stack area of every body, and the return value.
// - *ring cases*: one body followed by queue_sqe of 64 bytes the body computed and emit_cqe
//   with computed arguments, run through kernelRun (recording shims) and through the VM's own
//   io_uring helpers; compared: the context, the SQEs queued (raw bytes), the CQEs emitted and
//   the helpers' return values, and a 32-byte global-data section (`.data`) the body loads,
//   stores and runs atomics on.
import fc from "fast-check";
import type { Instruction } from "../../src/isa/instruction.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { AluOp, Class, JmpOp, LD_IMM64, Mode, Size, Source } from "../../src/isa/opcodes.js";
import { Coverage } from "./random-coverage.js";
import {
  BPF_F_SLEEPABLE,
  BpfProgType,
  closeFd,
  currentMode,
  progLoad,
  progTestRun,
} from "../../src/kernel/bpf.js";
import { kernelRun, objectFromInsns } from "../../src/kernel/oracle.js";
import { R_BPF, SHF, SHT, STB, STT } from "../../src/elf/types.js";
import { getTarget } from "../../src/targets/targets.js";
import { makeHelpers, type HelperEvent } from "../../src/vm/helpers.js";
import { loadObject } from "../../src/vm/loader.js";
import { CompletionQueue, UserMemory } from "../../src/vm/ring.js";
import {
  bodyArb,
  bodyText,
  buildBatch,
  GDATA,
  GDATA_SIZE,
  placed,
  inputArb,
  lowerBody,
  type Lowered,
  SLICE,
  sliceText,
} from "./random-programs.js";

export interface DiffOptions {
  /** (program, input) pairs to compare, at least. */
  pairs: number;
  seed: number;
  bodiesPerLoad?: number;
  inputsPerLoad?: number;
  /** One ring case per this many pairs (0: none). */
  ringEvery?: number;
  maxBodyLength?: number;
  /** Stop collecting after this many mismatches. */
  maxMismatches?: number;
  /**
   * Self-check: the VM runs every batch with `r3 ^= 1` appended to its first body, so each
   * batch input must be reported as a mismatch (proves the comparison can fail).
   */
  plant?: boolean;
}

export interface DiffReport {
  pairs: number;
  aluPairs: number;
  ringPairs: number;
  loads: number;
  programs: number;
  mismatches: string[];
  /** Kernel refusals of generated programs (a generator bug: they count as mismatches too). */
  rejected: number;
  /** Instruction forms, memory regions and helpers in the programs compared. */
  coverage: Coverage;
  mode: string;
  ms: number;
  vmMs: number;
  kernelMs: number;
}

const ins = (opcode: number, dst = 0, src = 0, off = 0, imm = 0): Instruction => ({
  opcode,
  dst,
  src,
  off,
  imm,
});

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

export async function runRandomDiff(o: DiffOptions): Promise<DiffReport> {
  const bodiesPerLoad = o.bodiesPerLoad ?? 16;
  const inputsPerLoad = o.inputsPerLoad ?? 8;
  const ringEvery = o.ringEvery ?? 40;
  const maxMismatches = o.maxMismatches ?? 20;
  const rep: DiffReport = {
    pairs: 0,
    aluPairs: 0,
    ringPairs: 0,
    loads: 0,
    programs: 0,
    mismatches: [],
    rejected: 0,
    coverage: new Coverage(),
    mode: currentMode(),
    ms: 0,
    vmMs: 0,
    kernelMs: 0,
  };
  const t0 = performance.now();
  // fast-check draws everything from one seed, so a failure is reproducible from the printed seed.
  const mrng = fc.sample(fc.integer(), { seed: o.seed, numRuns: 1 })[0]!;
  let round = 0;
  let ringDue = 0;
  while (rep.pairs < o.pairs && rep.mismatches.length < maxMismatches) {
    const seed = (mrng + round++ * 7919) | 0;
    const bodies = fc
      .sample(bodyArb(o.maxBodyLength ?? 40), { seed, numRuns: bodiesPerLoad })
      .map(lowerBody);
    const inputs = fc.sample(
      fc.array(inputArb, { minLength: bodiesPerLoad, maxLength: bodiesPerLoad }),
      {
        seed: seed ^ 0x5bd1e995,
        numRuns: inputsPerLoad,
      },
    );
    await aluBatch(bodies, inputs, rep, seed, o.plant ?? false);
    ringDue += bodiesPerLoad * inputsPerLoad;
    if (ringEvery > 0) {
      for (; ringDue >= ringEvery && rep.mismatches.length < maxMismatches; ringDue -= ringEvery) {
        const rseed = (seed * 31 + ringDue) | 0;
        const body = lowerBody(
          fc.sample(bodyArb(o.maxBodyLength ?? 40, { gdata: true }), {
            seed: rseed,
            numRuns: 1,
          })[0]!,
        );
        const [input, data] = fc.sample(
          fc.tuple(inputArb, fc.uint8Array({ minLength: GDATA_SIZE, maxLength: GDATA_SIZE })),
          { seed: rseed ^ 0x1234567, numRuns: 1 },
        )[0]!;
        await ringCase(body, input, data, rep, rseed);
      }
    }
  }
  rep.ms = performance.now() - t0;
  return rep;
}

async function aluBatch(
  bodies: Lowered[],
  inputs: Uint8Array[][],
  rep: DiffReport,
  seed: number,
  plant: boolean,
): Promise<void> {
  const batch = buildBatch(bodies);
  rep.coverage.add(batch);
  const code = encodeProgram(batch);
  const planted = ins(Class.ALU64 | AluOp.XOR | Source.K, 3, 0, 0, 1);
  const vmCode = plant
    ? encodeProgram(
        buildBatch([{ ...bodies[0]!, insns: [...bodies[0]!.insns, planted] }, ...bodies.slice(1)]),
      )
    : code;
  const ctxSize = bodies.length * SLICE;
  rep.programs += bodies.length;

  let tk = performance.now();
  let loaded = progLoad({
    type: BpfProgType.SYSCALL,
    insns: code,
    license: "GPL",
    flags: BPF_F_SLEEPABLE,
    logLevel: 0,
  });
  rep.kernelMs += performance.now() - tk;
  rep.loads++;
  if (loaded.fd < 0) {
    // Load again with a log, to say why.
    loaded = progLoad({
      type: BpfProgType.SYSCALL,
      insns: code,
      license: "GPL",
      flags: BPF_F_SLEEPABLE,
      logLevel: 1,
    });
    const lines = loaded.log.trim().split("\n");
    rep.rejected++;
    rep.mismatches.push(
      `batch seed ${seed}: the kernel rejected a generated program (errno ${loaded.errno}): ${lines.slice(-6).join(" | ")}`,
    );
    if (loaded.fd >= 0) closeFd(loaded.fd);
    return;
  }

  const tv = performance.now();
  const obj = objectFromInsns({ insns: vmCode });
  const { loaded: L, diagnostics } = loadObject(obj, { maxInsns: 100_000 });
  if (!L) {
    closeFd(loaded.fd);
    rep.mismatches.push(`batch seed ${seed}: the VM cannot load it: ${diagnostics[0]?.message}`);
    return;
  }
  const ctx = L.vm.mem.add("ctx", ctxSize);
  const entry = L.programs[0]!.slot;
  rep.vmMs += performance.now() - tv;

  const input = new Uint8Array(ctxSize);
  try {
    for (const [m, slices] of inputs.entries()) {
      slices.forEach((s, k) => input.set(s, k * SLICE));
      tk = performance.now();
      const kr = progTestRun({ progFd: loaded.fd, ctxIn: input });
      rep.kernelMs += performance.now() - tk;
      const kctx = kr.ctxIn!;

      const t1 = performance.now();
      ctx.bytes.set(input);
      const vr = L.vm.run(entry, [L.vm.mem.addressOf(ctx)]);
      rep.vmMs += performance.now() - t1;

      rep.pairs += bodies.length;
      rep.aluPairs += bodies.length;
      if (vr.fault) {
        rep.mismatches.push(`batch seed ${seed} input ${m}: VM fault ${vr.fault.message}`);
        continue;
      }
      if ((kr.retval | 0) !== Number(BigInt.asIntN(32, vr.r0)))
        rep.mismatches.push(
          `batch seed ${seed} input ${m}: retval kernel ${kr.retval} VM ${vr.r0}`,
        );
      for (let k = 0; k < bodies.length; k++) {
        const a = kctx.subarray(k * SLICE, (k + 1) * SLICE);
        const b = ctx.bytes.subarray(k * SLICE, (k + 1) * SLICE);
        if (hex(a) === hex(b)) continue;
        rep.mismatches.push(
          [
            `batch seed ${seed}, body ${k}, input ${m}:`,
            bodyText(bodies[k]!),
            `  in:     ${sliceText(input.subarray(k * SLICE, (k + 1) * SLICE))}`,
            `  kernel: ${sliceText(a)}`,
            `  VM:     ${sliceText(b)}`,
          ].join("\n"),
        );
      }
    }
  } finally {
    closeFd(loaded.fd);
  }
}

const ldx = (size: number, dst: number, src: number, off: number) =>
  ins(Class.LDX | Mode.MEM | size, dst, src, off);
const stx64 = (dst: number, src: number, off: number) =>
  ins(Class.STX | Mode.MEM | Size.DW, dst, src, off);
const mov = (dst: number, imm: number) => ins(Class.ALU64 | AluOp.MOV | Source.K, dst, 0, 0, imm);
const call = (id: number) => ins(Class.JMP | JmpOp.CALL, 0, 0, 0, id);

/** Context of a ring case: the body's slice, then queue_sqe's and emit_cqe's return values. */
const RING_CTX = SLICE + 16;

/**
 * One body, then: queue_sqe(ctx, the slice's first 64 bytes copied to the stack, 64) and
 * emit_cqe(ctx, r8 & 7, r9, low/high words of the stack area's first slot); both return
 * values are stored in the context. CQ indices 4–7 do not exist (-EINVAL on both sides).
 */
function ringProgram(body: Lowered): Instruction[] {
  const prog: Instruction[] = [ldx(Size.DW, 6, 10, -8)];
  for (let j = 0; j < 8; j++) prog.push(ldx(Size.DW, 2, 6, 8 * j), stx64(10, 2, -144 + 8 * j));
  prog.push(
    ins(Class.ALU64 | AluOp.MOV | Source.X, 1, 6),
    ins(Class.ALU64 | AluOp.MOV | Source.X, 2, 10),
    ins(Class.ALU64 | AluOp.ADD | Source.K, 2, 0, 0, -144),
    mov(3, 64),
    call(164),
    stx64(6, 0, SLICE),
    ins(Class.ALU64 | AluOp.MOV | Source.X, 1, 6),
    ldx(Size.DW, 2, 6, 64),
    ins(Class.ALU64 | AluOp.AND | Source.K, 2, 0, 0, 7),
    ldx(Size.DW, 3, 6, 72),
    ldx(Size.W, 4, 6, 80),
    ldx(Size.W, 5, 6, 84),
    call(165),
    stx64(6, 0, SLICE + 8),
    mov(0, 0),
    ins(Class.JMP | JmpOp.EXIT),
  );
  return buildBatch([body], prog);
}

async function ringCase(
  body: Lowered,
  slice: Uint8Array,
  data: Uint8Array,
  rep: DiffReport,
  seed: number,
): Promise<void> {
  const insns = ringProgram(body);
  rep.coverage.add(insns);
  // Global-data accesses: a relocation against GDATA (in `.data`) at each marked ld_imm64.
  const relocations = [];
  for (
    let i = 0, slotAt = 0;
    i < insns.length;
    slotAt += insns[i]!.opcode === LD_IMM64 ? 2 : 1, i++
  )
    if (placed.get(insns[i]!) === "gdata")
      relocations.push({ offset: slotAt * 8, symbol: GDATA, type: R_BPF.R_BPF_64_64 });
  const code = encodeProgram(insns);
  const obj = objectFromInsns({
    insns: code,
    relocations,
    sections: [
      { name: ".data", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data, addralign: 8 },
    ],
    symbols: [
      {
        name: GDATA,
        section: ".data",
        value: 0,
        size: GDATA_SIZE,
        type: STT.OBJECT,
        bind: STB.GLOBAL,
      },
    ],
  });
  const input = new Uint8Array(RING_CTX);
  input.set(slice);
  rep.programs++;

  const tk = performance.now();
  const k = await kernelRun(obj, {
    target: "iouring-v2",
    strict: false,
    ctx: input,
    nCq: 4,
    maxSqes: 4,
  });
  rep.kernelMs += performance.now() - tk;
  rep.loads++;
  const where = `ring seed ${seed}`;
  if (k.verdict !== "accept" || !k.ctxOut) {
    rep.rejected++;
    rep.mismatches.push(`${where}: kernel ${k.verdict}: ${k.reason ?? ""}`);
    return;
  }

  const tv = performance.now();
  const { loaded: L, diagnostics } = loadObject(obj, { maxInsns: 100_000 });
  if (!L) {
    rep.mismatches.push(`${where}: the VM cannot load it: ${diagnostics[0]?.message}`);
    return;
  }
  const ctx = L.vm.mem.add("ctx", RING_CTX, { data: input });
  const queued: Uint8Array[] = [];
  const events: HelperEvent[] = [];
  L.vm.setHelpers(
    makeHelpers({
      target: getTarget("iouring-v2"),
      mem: L.vm.mem,
      mapList: L.mapList,
      cqs: [0, 1, 2, 3].map((i) => new CompletionQueue(i, 64)),
      user: new UserMemory(),
      ctx: () => ctx,
      clock: { now: 0n, step: 1n },
      rng: { state: 1 },
      queueSqe: (raw) => {
        queued.push(raw.slice());
        return queued.length - 1;
      },
      event: (e) => events.push(e),
      sleepable: () => true,
    }),
  );
  const vr = L.vm.run(L.programs[0]!.slot, [L.vm.mem.addressOf(ctx)]);
  rep.vmMs += performance.now() - tv;
  rep.pairs++;
  rep.ringPairs++;

  const diffs: string[] = [];
  if (vr.fault) diffs.push(`VM fault: ${vr.fault.message}`);
  if ((k.retval ?? 0) !== Number(BigInt.asIntN(32, vr.r0)))
    diffs.push(`retval kernel ${k.retval} VM ${vr.r0}`);
  if (hex(k.ctxOut) !== hex(ctx.bytes))
    diffs.push(`context\n  kernel: ${hex(k.ctxOut)}\n  VM:     ${hex(ctx.bytes)}`);
  // The kernel side creates the `.data` map only when the program refers to it.
  const kData = relocations.length ? k.globals[".data"] : data;
  const vData = L.data.get(".data")?.bytes;
  if (!kData || !vData || hex(kData) !== hex(vData))
    diffs.push(
      `.data\n  kernel: ${kData ? hex(kData) : "-"}\n  VM:     ${vData ? hex(vData) : "-"}`,
    );
  const ks = k.sqes.map(hex);
  const vs = queued.map(hex);
  if (ks.join() !== vs.join())
    diffs.push(`SQEs\n  kernel: ${ks.join(" ")}\n  VM:     ${vs.join(" ")}`);
  const vmEmits = events
    .filter((e): e is Extract<HelperEvent, { type: "emit" }> => e.type === "emit" && e.ret === 0)
    .map((e) => `${e.cq}/${e.userData}/${e.res}/${e.flags}`);
  const kEmits = k.emitted.map((e) => `${e.cq}/${e.userData}/${e.res}/${e.flags}`);
  if (vmEmits.join() !== kEmits.join())
    diffs.push(`emitted CQEs kernel [${kEmits.join(" ")}] VM [${vmEmits.join(" ")}]`);
  if (diffs.length)
    rep.mismatches.push(
      [`${where}:`, bodyText(body), `  in: ${sliceText(slice)}`, ...diffs].join("\n"),
    );
}

/** One line of figures for test and bench output. */
export function summary(r: DiffReport): string {
  return (
    `${r.pairs} pairs (${r.aluPairs} ALU/stack in ${r.loads - r.ringPairs} batch loads, ${r.ringPairs} io_uring), ` +
    `${r.programs} programs, ${r.mismatches.length} mismatches, ${(r.ms / 1000).toFixed(1)} s ` +
    `(kernel ${(r.kernelMs / 1000).toFixed(1)} s, VM ${(r.vmMs / 1000).toFixed(1)} s), ${r.mode} mode`
  );
}
