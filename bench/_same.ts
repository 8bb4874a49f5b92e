// Whether our object and clang's for the same example behave the same: both run on the kernel's
// JIT (the kernel oracle, lenient mode) from fresh globals with the same scripted completions,
// and what they do (SQEs queued, CQEs emitted, CQEs reaped per CQ, the context after the run,
// r0) must be equal. Used by bench/compile.ts (its "checks" table) and test/bench. The leading
// underscore keeps bench/run.ts from running this file as a benchmark.
import type { ObjFile } from "../src/elf/types.js";
import { kernelRun, type KernelRunResult, type ScriptedCqe } from "../src/kernel/index.js";

const TARGET = "iouring-v2";
/** The CQ the runs wait on (ctx.wait_idx): the programs must reap from whatever it names. */
const WAIT_CQ = 1;

/**
 * Completion scripts that walk every example's branches (user_data 1–4 are their tags): both
 * objects run each one on the kernel's JIT from fresh globals, i.e. the first run (onStart, then
 * the reap loop). 20 CQEs exceed the reap batch, so the loop bound is compared too.
 */
export const SCRIPTS: ScriptedCqe[][] = [
  [],
  [1, 2, 3, 4].map((u, i) => ({ userData: BigInt(u), res: [5, 7, 0, -1][i]! })),
  [1, 2, 3, 4].map((u, i) => ({ userData: BigInt(u), res: [-62, 0, -5, 3][i]! })),
  [{ userData: 1n, res: 0 }],
  Array.from({ length: 20 }, (_, k) => ({ userData: BigInt(k), res: -62 })),
  Array.from({ length: 20 }, (_, k) => ({ userData: BigInt(k), res: 0 })),
  Array.from({ length: 20 }, (_, k) => ({ userData: BigInt((k % 4) + 1), res: 10 * k })),
];

const hex = (b?: Uint8Array): string => (b ? Buffer.from(b).toString("hex") : "-");

/** What a run did, in a form where equal means the same behaviour (globals' layout may differ). */
export function observed(r: KernelRunResult): string {
  return JSON.stringify({
    retval: r.retval,
    ctx: hex(r.ctxOut),
    sqes: r.sqes.map(hex),
    emitted: r.emitted.map((e) => `${e.cq}:${e.userData}:${e.res}:${e.flags}`),
    reaped: r.reapedPerCq,
  });
}

const ran = (r: KernelRunResult): boolean => r.verdict === "accept" && r.retval !== undefined;

/**
 * Loader-set values for the examples' `declare const`s (by name, both sides use the same names),
 * so the branches that test them are taken too; the objects' own `.rodata` holds zeroes.
 */
export const RODATA: Record<string, bigint> = {
  IN_FD: 3n,
  OUT_FD: 4n,
  BUF: 0x10000n,
  SIZE: 150n,
  LISTEN_FD: 5n,
  BUF_LEN: 64n,
  MAX_CONNS: 1n,
  PERIOD_TS: 0x20000n,
  TICKS: 3n,
  PATH: 0x30000n,
};

/** A copy of `obj` whose `.rodata` globals named in RODATA hold those values. */
export function withRodata(obj: ObjFile): ObjFile {
  const sections = obj.sections.map((sec) => {
    if (sec.name !== ".rodata") return sec;
    const data = new Uint8Array(sec.data);
    const view = new DataView(data.buffer);
    for (const sym of obj.symbols) {
      const v = RODATA[sym.name];
      if (sym.section !== ".rodata" || v === undefined) continue;
      if (sym.size === 8) view.setBigUint64(sym.value, v, true);
      else if (sym.size === 4) view.setUint32(sym.value, Number(v), true);
    }
    return { ...sec, data };
  });
  return { ...obj, sections };
}

/** "same" when both objects behave alike on every script (lenient mode: see the strict table). */
export async function sameBehaviour(
  a: ObjFile,
  b: ObjFile,
  scripts: readonly ScriptedCqe[][] = SCRIPTS,
): Promise<string> {
  const ctx = new Uint8Array(16);
  new DataView(ctx.buffer).setUint32(12, WAIT_CQ, true);
  let runs = 0;
  let sqes = 0;
  let cqes = 0;
  for (const [ours, clang, consts] of [
    [a, b, "zero"],
    [withRodata(a), withRodata(b), "set"],
  ] as const) {
    for (const [i, script] of scripts.entries()) {
      const perCq = Array.from({ length: 4 }, (_, q) => (q === WAIT_CQ ? script : []));
      const opts = {
        target: TARGET,
        strict: false,
        ctx,
        cqes: perCq,
        maxSqes: 64,
        maxEmits: 64,
      } as const;
      const [x, y] = [await kernelRun(ours, opts), await kernelRun(clang, opts)];
      const where = `script ${i}, ${consts} consts`;
      for (const [who, r] of [
        ["ours", x],
        ["clang", y],
      ] as const)
        if (!ran(r)) return `n/a (${who}, ${where}: ${r.verdict} ${(r.reason ?? "").slice(0, 60)})`;
      if (observed(x) !== observed(y))
        return `DIFFERENT on ${where}: ours ${observed(x).slice(0, 100)} / clang ${observed(y).slice(0, 100)}`;
      runs++;
      sqes += x.sqes.length;
      cqes += x.emitted.length;
    }
  }
  return `same (${runs} runs, ${sqes} SQEs, ${cqes} CQEs)`;
}
