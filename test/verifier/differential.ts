// Differential harness: random programs, biased towards plausible io_uring programs (stack
// stores and loads, context fields, map lookups with and without NULL checks, branches,
// bounded loops, helper calls with right and wrong arguments, exits with r0 = 0 or not),
// checked by our verifier and by the kernel oracle. The outcome of each program is one of
// four: both accept, both reject, ours-only accept (a soundness bug), kernel-only accept
// (imprecision, or by design: a target rule the SYSCALL stand-in does not have, or an
// unprivileged rule we keep). The kernel we are held to is the privileged (lenient-mode) one.
import fc from "fast-check";
import type { ObjFile } from "../../src/elf/types.js";
import { kernelVerify } from "../../src/kernel/oracle.js";
import { verifyObject } from "../../src/verifier/index.js";
import { VerifierCodes } from "../../src/verifier/codes.js";
import { buildObject, type MapSpec } from "./build.js";

export const DIFF_MAPS: MapSpec[] = [
  { name: "arr", type: "array", key: 4, value: 16, entries: 4 },
  { name: "hsh", type: "hash", key: 8, value: 8, entries: 16 },
  { name: "rb", type: "ringbuf" },
];

export const DIFF_EXTRA = `
	.data
	.globl gdata
	.p2align 3
gdata:
	.quad 0
	.quad 0
	.section .rodata,"a"
	.globl gconst
	.p2align 3
gconst:
	.quad 7
	.quad 100
	.text
	.globl sub_add
	.type sub_add,@function
sub_add:
	r0 = r1
	r0 += 1
	exit
.Lsub_add_end:
	.size sub_add, .Lsub_add_end-sub_add
	.globl sub_load
	.type sub_load,@function
sub_load:
	r0 = *(u64 *)(r1 + 0)
	exit
.Lsub_load_end:
	.size sub_load, .Lsub_load_end-sub_load
`;

/**
 * Rules of the io_uring targets that the SYSCALL stand-in does not have (context layout,
 * return value, fixed helper sizes, ctx arguments): our rejection for one of these while the
 * kernel accepts is a difference by design, not imprecision.
 */
export const TARGET_ONLY_CODES = new Set<string>([
  VerifierCodes.ctxOpaque,
  VerifierCodes.ctxBadAccess,
  VerifierCodes.returnValue,
  VerifierCodes.helperSize,
  VerifierCodes.helperArg,
  VerifierCodes.sleepableOnly,
]);

const mem = (r: string, off: number): string => (off < 0 ? `${r} - ${-off}` : `${r} + ${off}`);

type Gen = fc.Arbitrary<(l: () => string) => string>;
const reg = fc.constantFrom("r6", "r7", "r8", "r9");
const sreg = fc.constantFrom("r7", "r8", "r9"); // scalars (r6 holds ctx)
const size = fc.constantFrom(1, 2, 4, 8);
const cmpOp = fc.constantFrom("==", "!=", ">", ">=", "<", "<=", "s>", "s<", "&");

const stackStore: Gen = fc
  .tuple(
    size,
    fc.integer({ min: 1, max: 8 }),
    fc.boolean(),
    reg,
    fc.integer({ min: -5, max: 300 }),
    fc.nat(19),
  )
  .map(([sz, slot, imm, r, k, skew]) => () => {
    const off = slot * 8 - (skew === 0 ? 3 : 0);
    return imm
      ? `\t*(u${sz * 8} *)(r10 - ${off}) = ${k}`
      : `\t*(u${sz * 8} *)(r10 - ${off}) = ${sz === 8 ? r : "w" + r.slice(1)}`;
  });

const stackLoad: Gen = fc.tuple(size, fc.integer({ min: 1, max: 9 }), sreg).map(
  ([sz, slot, d]) =>
    () =>
      `\t${sz === 8 ? d : "w" + d.slice(1)} = *(u${sz * 8} *)(r10 - ${slot * 8})`,
);

const ctxAccess: Gen = fc
  .tuple(
    fc.constantFrom(
      [8, 0],
      [4, 8],
      [4, 12],
      [8, 0],
      [4, 8],
      [4, 12],
      [8, 0],
      [2, 8],
      [8, 8],
      [4, 4],
    ),
    fc.boolean(),
    sreg,
  )
  .map(([[sz, off], write, r]) => () => {
    const rr = sz === 8 ? r : "w" + r.slice(1);
    return write
      ? `\t*(u${sz * 8} *)(r6 + ${off}) = ${rr}`
      : `\t${rr} = *(u${sz * 8} *)(r6 + ${off})`;
  });

const alu: Gen = fc
  .tuple(
    sreg,
    fc.constantFrom("+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "="),
    fc.oneof(fc.integer({ min: -20, max: 300 }), sreg),
    fc.boolean(),
  )
  .map(([d, op, v, w32]) => () => {
    let val = typeof v === "number" ? String(v) : v;
    if (op.includes("<<") || op.includes(">>"))
      val = typeof v === "number" ? String(Math.abs(v) % (w32 ? 34 : 66)) : val;
    if (w32) return `\tw${d.slice(1)} ${op} ${typeof v === "number" ? val : "w" + v.slice(1)}`;
    return `\t${d} ${op} ${val}`;
  });

const lookup: Gen = fc
  .tuple(
    fc.constantFrom("arr", "hsh", "arr", "rb"),
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom("check", "check", "check", "check", "check", "none", "wrong"),
    size,
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(0, 4, 8) },
      { weight: 1, arbitrary: fc.integer({ min: -2, max: 18 }) },
    ),
    fc.boolean(),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    fc.constantFrom("const", "masked", "raw", "none", "none", "none"),
  )
  .map(([map, key, check, sz, off, write, initKey, idx]) => (l) => {
    const out = l();
    const keySz = map === "hsh" ? 8 : 4;
    const lines = [
      initKey ? `\t*(u${keySz * 8} *)(r10 - 8) = ${key}` : `\t*(u32 *)(r10 - 8) = ${key}`,
      `\tr2 = r10`,
      `\tr2 += -8`,
      `\tr1 = ${map} ll`,
      `\tcall 1`,
    ];
    if (check === "check") lines.push(`\tif r0 == 0 goto ${out}`);
    if (check === "wrong") lines.push(`\tif r0 != 0 goto ${out}`);
    if (idx === "masked") lines.push(`\tr7 &= 7`, `\tr0 += r7`);
    if (idx === "raw") lines.push(`\tr0 += r7`);
    if (idx === "const") lines.push(`\tr0 += 4`);
    lines.push(
      write
        ? `\t*(u${sz * 8} *)(${mem("r0", off)}) = ${sz === 8 ? "r7" : "w7"}`
        : `\tr8 = *(u${sz * 8} *)(${mem("r0", off)})`,
    );
    lines.push(`${out}:`);
    return lines.join("\n");
  });

const helper: Gen = fc
  .tuple(
    fc.constantFrom(
      "ktime",
      "prandom",
      "emit",
      "emit",
      "emit_bad",
      "queue",
      "queue",
      "queue_part",
      "reap",
      "reap",
      "reap_len",
      "ringbuf",
      "update",
    ),
    fc.nat(3),
  )
  .map(([h, k]) => () => {
    switch (h) {
      case "ktime":
        return `\tcall 5\n\tr7 = r0`;
      case "prandom":
        return `\tcall 7\n\tr8 = r0`;
      case "emit":
        return `\tr1 = r6\n\tr2 = ${k}\n\tr3 = 1\n\tr4 = 2\n\tr5 = 0\n\tcall 165`;
      case "emit_bad":
        return `\tr1 = r6\n\tr2 = ${k}\n\tr3 = r10\n\tr4 = 2\n\tr5 = 0\n\tcall 165`;
      case "queue":
      case "queue_part": {
        const stores = [];
        for (let i = 8; i <= 64; i += 8)
          if (h === "queue" || i !== 24) stores.push(`\t*(u64 *)(r10 - ${i}) = 0`);
        return `${stores.join("\n")}\n\tr1 = r6\n\tr2 = r10\n\tr2 += -64\n\tr3 = 64\n\tcall 164`;
      }
      case "reap":
      case "reap_len":
        return `\tr1 = r6\n\tr2 = ${k}\n\tr3 = r10\n\tr3 += -16\n\tr4 = ${h === "reap" ? 16 : 16 + 8 * k}\n\tcall 166\n\tr7 = *(u64 *)(r10 - 16)`;
      case "ringbuf":
        return `\t*(u64 *)(r10 - 8) = 1\n\tr1 = rb ll\n\tr2 = r10\n\tr2 += -8\n\tr3 = ${k === 3 ? 16 : 8}\n\tr4 = 0\n\tcall 130`;
      case "update":
        return `\t*(u64 *)(r10 - 8) = ${k}\n\t*(u64 *)(r10 - 16) = 5\n\tr1 = hsh ll\n\tr2 = r10\n\tr2 += -8\n\tr3 = r10\n\tr3 += -${k === 3 ? 24 : 16}\n\tr4 = 0\n\tcall 2`;
    }
    return "";
  });

const globals: Gen = fc
  .tuple(fc.constantFrom("gdata", "gconst"), fc.integer({ min: -1, max: 14 }), fc.boolean(), size)
  .map(
    ([g, off, write, sz]) =>
      () =>
        `\tr1 = ${g} ll\n` +
        (write
          ? `\t*(u${sz * 8} *)(${mem("r1", off)}) = ${sz === 8 ? "r7" : "w7"}`
          : `\tr9 = *(u${sz * 8} *)(${mem("r1", off)})`),
  );

const subcall: Gen = fc.constantFrom("add", "load", "load_bad").map((k) => () => {
  if (k === "add") return `\tr1 = r7\n\tcall sub_add\n\tr7 = r0`;
  if (k === "load")
    return `\t*(u64 *)(r10 - 8) = r7\n\tr1 = r10\n\tr1 += -8\n\tcall sub_load\n\tr8 = r0`;
  return `\tr1 = r10\n\tr1 += -40\n\tcall sub_load\n\tr8 = r0`;
});

const simple: Gen = fc.oneof(
  { weight: 3, arbitrary: stackStore },
  { weight: 2, arbitrary: stackLoad },
  { weight: 2, arbitrary: ctxAccess },
  { weight: 4, arbitrary: alu },
  { weight: 3, arbitrary: lookup },
  { weight: 3, arbitrary: helper },
  { weight: 1, arbitrary: globals },
  { weight: 1, arbitrary: subcall },
);

const branchBlock: Gen = fc
  .tuple(
    sreg,
    cmpOp,
    fc.oneof(fc.integer({ min: -3, max: 40 }), sreg),
    fc.array(simple, { minLength: 1, maxLength: 3 }),
  )
  .map(([r, op, v, body]) => (l) => {
    const end = l();
    return [`\tif ${r} ${op} ${v} goto ${end}`, ...body.map((b) => b(l)), `${end}:`].join("\n");
  });

const loop: Gen = fc
  .tuple(
    fc.integer({ min: 1, max: 40 }),
    fc.constantFrom("ok", "ok", "ok", "noinc", "unbounded"),
    fc.array(alu, { maxLength: 2 }),
  )
  .map(([n, kind, body]) => (l) => {
    const head = l();
    const lines = [`\tr9 = 0`, `${head}:`, ...body.map((b) => b(l).replace(/\br9\b/g, "r8"))];
    if (kind !== "noinc") lines.push(`\tr9 += 1`);
    lines.push(kind === "unbounded" ? `\tif r9 != r7 goto ${head}` : `\tif r9 < ${n} goto ${head}`);
    return lines.join("\n");
  });

const exitGen = fc.constantFrom(
  "\tr0 = 0\n\texit",
  "\tr0 = 0\n\texit",
  "\tr0 = 0\n\texit",
  "\tr0 = 0\n\texit",
  "\tr0 = 0\n\texit",
  "\tr0 = 0\n\texit",
  "\tr0 = 1\n\texit",
  "\tr0 = r7\n\texit",
  "\texit",
  "\tr0 = r10\n\texit",
);

export interface GeneratedProgram {
  asm: string;
}

/** fast-check arbitrary of program bodies (assembly text). */
export const programArb: fc.Arbitrary<GeneratedProgram> = fc
  .tuple(
    fc.boolean(),
    fc.boolean(),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: simple },
        { weight: 3, arbitrary: branchBlock },
        { weight: 1, arbitrary: loop },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    exitGen,
    fc.nat(9),
  )
  .map(([init8, init9, parts, exit, zeroStack]) => {
    let n = 0;
    const label = () => `.LL${n++}`;
    const lines = [`\tr6 = r1`, `\tr7 = 3`];
    if (zeroStack < 7) for (let i = 8; i <= 72; i += 8) lines.push(`\t*(u64 *)(r10 - ${i}) = 0`);
    if (init8) lines.push(`\tr8 = 5`);
    if (init9) lines.push(`\tr9 = 0`);
    for (const p of parts) lines.push(p(label));
    lines.push(exit);
    return { asm: lines.join("\n") };
  });

export type Outcome =
  "acceptAccept" | "rejectReject" | "oursOnlyAccept" | "kernelOnlyAccept" | "byDesign" | "skipped";

/**
 * Our codes for the unprivileged kernel's rules that a privileged loader (CAP_BPF +
 * CAP_PERFMON) is not held to and that we keep because they catch real bugs (uninitialised
 * stack reads, pointer leaks and comparisons, a pointer returned, variable stack offsets), plus E6018 and E6028
 * (Spectre-v1 sanitation, partial overwrite of a spilled pointer), which we only raise with
 * the `unprivileged` option or, for E6028, on a partial load of a spilled pointer. Our
 * rejection with one of these codes of a program the privileged kernel accepts is a
 * difference by design when the strict-mode (unprivileged) kernel rejects it as well.
 */
export const STRICT_RULE_CODES = new Set<string>([
  VerifierCodes.stackUninit,
  VerifierCodes.pointerLeak,
  VerifierCodes.pointerCompare,
  VerifierCodes.returnPointer,
  VerifierCodes.variableStackOffset,
  VerifierCodes.sanitizePaths,
  VerifierCodes.spilledPointerCorrupt,
  VerifierCodes.perfmonOnly,
]);

export interface DiffRecord {
  asm: string;
  outcome: Outcome;
  /** Why a "byDesign" outcome is by design. */
  byDesign?: "target rule" | "unprivileged rule";
  ours: { ok: boolean; code?: string; message?: string };
  /** The privileged (lenient-mode) kernel: the verdict we are held to. */
  kernel: { verdict: string; reason?: string };
  /** The strict-mode (unprivileged) kernel, where loaded: for our accepts and kernel-only accepts. */
  strict?: { verdict: string; reason?: string };
}

export interface CompareOptions {
  /** Verify ours with the unprivileged kernel's Spectre-v1 mitigations (VerifyOptions.unprivileged). */
  unprivileged?: boolean;
  /** Target of the object (default iouring-v2). */
  target?: "iouring-v1" | "iouring-v2";
}

export function buildDiffObject(asm: string): ObjFile | string {
  return buildObject(asm, { maps: DIFF_MAPS, extra: DIFF_EXTRA });
}

/**
 * Classifies one object (docs/verifier.md, "Which kernel we match"): our verdict against the
 * privileged (lenient-mode) kernel's. Where we accept, or where we reject what it accepts,
 * the strict-mode kernel is loaded too: our accepts it rejects are recorded (informational),
 * and our rejection by an unprivileged rule the strict kernel shares is "by design".
 */
export async function compareOne(
  obj: ObjFile,
  asm: string,
  options: CompareOptions = {},
): Promise<DiffRecord> {
  const target = options.target ?? "iouring-v2";
  const r = verifyObject(obj, {
    target,
    unprivileged: options.unprivileged ?? false,
  });
  const first = r.diagnostics.find((d) => d.severity === "error");
  const ours = { ok: r.ok, ...(first ? { code: first.code, message: first.message } : {}) };
  const k = await kernelVerify(obj, { target, strict: false });
  const kernel = { verdict: k.verdict, ...(k.reason ? { reason: k.reason } : {}) };
  const loadStrict = async (): Promise<DiffRecord["strict"]> => {
    const s = await kernelVerify(obj, { target, strict: true });
    return { verdict: s.verdict, ...(s.reason ? { reason: s.reason } : {}) };
  };
  if (k.verdict === "unavailable") return { asm, outcome: "skipped", ours, kernel };
  if (k.verdict === "reject" && !r.ok) return { asm, outcome: "rejectReject", ours, kernel };
  if (r.ok)
    return {
      asm,
      outcome: k.verdict === "accept" ? "acceptAccept" : "oursOnlyAccept",
      ours,
      kernel,
      strict: await loadStrict(),
    };
  const strict = await loadStrict();
  if (first && TARGET_ONLY_CODES.has(first.code))
    return { asm, outcome: "byDesign", byDesign: "target rule", ours, kernel, strict };
  if (first && STRICT_RULE_CODES.has(first.code) && strict?.verdict === "reject")
    return { asm, outcome: "byDesign", byDesign: "unprivileged rule", ours, kernel, strict };
  return { asm, outcome: "kernelOnlyAccept", ours, kernel, strict };
}

export function emptyCounts(): Record<Outcome, number> {
  return {
    acceptAccept: 0,
    rejectReject: 0,
    oursOnlyAccept: 0,
    kernelOnlyAccept: 0,
    byDesign: 0,
    skipped: 0,
  };
}

export interface DiffRun {
  counts: Record<Outcome, number>;
  /** Programs the privileged kernel rejects and we accept (soundness bugs), with the kernel's reason. */
  oursOnly: DiffRecord[];
  kernelOnly: DiffRecord[];
  /** kernelOnlyAccept / (acceptAccept + kernelOnlyAccept). */
  kernelOnlyRate: number;
  /** byDesign split by reason. */
  byDesign: { targetRule: number; unprivilegedRule: number };
  /**
   * Informational: programs we accept that the strict-mode (unprivileged) kernel rejects
   * (its Spectre-v1 speculative walk and sanitation; by design for a privileged loader).
   */
  strictRejectsOurAccept: DiffRecord[];
  ms: number;
}

/**
 * Runs `n` generated programs (fixed `seed`) through ours and the kernel oracle (privileged,
 * and the strict-mode child where compareOne needs it; its loads are pipelined).
 */
export async function runDifferential(
  n: number,
  seed: number,
  batch = 32,
  options: CompareOptions = {},
): Promise<DiffRun> {
  const samples = fc.sample(programArb, { numRuns: n, seed });
  const counts = emptyCounts();
  const oursOnly: DiffRecord[] = [];
  const kernelOnly: DiffRecord[] = [];
  const strictRejectsOurAccept: DiffRecord[] = [];
  const byDesign = { targetRule: 0, unprivilegedRule: 0 };
  const t0 = performance.now();
  for (let i = 0; i < samples.length; i += batch) {
    const jobs = samples.slice(i, i + batch).map((s) => {
      const o = buildDiffObject(s.asm);
      if (typeof o === "string")
        throw new Error(`generated program does not assemble: ${o}\n${s.asm}`);
      return compareOne(o, s.asm, options);
    });
    for (const r of await Promise.all(jobs)) {
      counts[r.outcome]++;
      if (r.outcome === "oursOnlyAccept") oursOnly.push(r);
      if (r.outcome === "kernelOnlyAccept") kernelOnly.push(r);
      if (r.byDesign === "target rule") byDesign.targetRule++;
      if (r.byDesign === "unprivileged rule") byDesign.unprivilegedRule++;
      if (r.ours.ok && r.strict?.verdict === "reject") strictRejectsOurAccept.push(r);
    }
  }
  const denom = counts.acceptAccept + counts.kernelOnlyAccept;
  return {
    counts,
    oursOnly,
    kernelOnly,
    kernelOnlyRate: denom ? counts.kernelOnlyAccept / denom : 0,
    byDesign,
    strictRejectsOurAccept,
    ms: performance.now() - t0,
  };
}
