// Conformance cases (test/vm/conformance/*.yaml, format in docs/vm.md): small programs with
// input memory and the r0 / memory / fault that RFC 9669 semantics imply. Cases are plain
// programs (memory through the stack, or a buffer passed in r1 with its length in r2, as
// bpf_conformance does), so the kernel oracle can run the non-faulting ones too. Assembling
// is injected: the test uses our assembler and checks its bytes against llvm-mc-19.
import { parse } from "yaml";
import type { ObjFile } from "../elf/types.js";
import { loadObject } from "./loader.js";

export interface ConformanceCase {
  name: string;
  asm: string;
  /** Input bytes passed in r1 (pointer) and r2 (length). */
  mem?: Uint8Array;
  /** Expected r0 (64-bit, two's complement). */
  r0?: bigint;
  /** Expected buffer contents after the run. */
  expectMem?: Uint8Array;
  /** The run must fault; when a string, the fault message must contain it. */
  fault?: boolean | string;
  /** "ioubpf" when llvm-mc-19 cannot assemble it (no cross-check of the bytes), else "llvm". */
  assembler: "llvm" | "ioubpf";
  /** False when the kernel would not load the program (faults, callx, …). */
  kernel: boolean;
  maxInsns?: number;
}

export interface ConformanceFile {
  group: string;
  cases: ConformanceCase[];
}

function bytesOf(v: unknown, what: string): Uint8Array {
  if (typeof v !== "string" || !/^([0-9a-f]{2}\s*)*$/i.test(v.trim()))
    throw new Error(`${what}: expected hex bytes`);
  return new Uint8Array(Buffer.from(v.replace(/\s+/g, ""), "hex"));
}

function u64Of(v: unknown, what: string): bigint {
  if (typeof v === "number" && Number.isInteger(v)) return BigInt.asUintN(64, BigInt(v));
  if (typeof v === "string" && /^-?(0x[0-9a-f]+|\d+)$/i.test(v)) {
    const neg = v.startsWith("-");
    const b = BigInt(neg ? v.slice(1) : v);
    return BigInt.asUintN(64, neg ? -b : b);
  }
  throw new Error(`${what}: expected an integer`);
}

/** Parses one conformance file; throws with the case name on malformed input (test data). */
export function parseConformance(text: string): ConformanceFile {
  const raw = parse(text) as { group?: unknown; cases?: unknown };
  if (typeof raw?.group !== "string" || !Array.isArray(raw.cases))
    throw new Error("expected { group, cases: [...] }");
  const cases = raw.cases.map((c: Record<string, unknown>, i: number): ConformanceCase => {
    const name = typeof c.name === "string" ? c.name : `case ${i}`;
    if (typeof c.asm !== "string") throw new Error(`${name}: asm missing`);
    const k: ConformanceCase = {
      name,
      asm: c.asm,
      assembler: c.assembler === "ioubpf" ? "ioubpf" : "llvm",
      kernel: c.kernel !== false && c.fault === undefined,
    };
    if (c.mem !== undefined) k.mem = bytesOf(c.mem, `${name}.mem`);
    if (c.r0 !== undefined) k.r0 = u64Of(c.r0, `${name}.r0`);
    if (c.expect_mem !== undefined) k.expectMem = bytesOf(c.expect_mem, `${name}.expect_mem`);
    if (c.fault !== undefined) k.fault = c.fault as boolean | string;
    if (typeof c.max_insns === "number") k.maxInsns = c.max_insns;
    if (k.r0 === undefined && k.fault === undefined && k.expectMem === undefined)
      throw new Error(`${name}: nothing expected`);
    return k;
  });
  return { group: raw.group, cases };
}

export interface CaseOutcome {
  ok: boolean;
  /** What differed, for the test's failure message. */
  problems: string[];
  r0?: bigint;
  mem?: Uint8Array;
  fault?: { pc: number; message: string };
  insns: number;
}

const hex64 = (v: bigint) => "0x" + v.toString(16).padStart(16, "0");

export function runConformanceCase(c: ConformanceCase, obj: ObjFile): CaseOutcome {
  const problems: string[] = [];
  const { loaded, diagnostics } = loadObject(obj, { maxInsns: c.maxInsns ?? 1_000_000 });
  if (!loaded) return { ok: false, problems: diagnostics.map((d) => d.message), insns: 0 };
  const args: bigint[] = [];
  let buf: Uint8Array | undefined;
  if (c.mem) {
    const region = loaded.vm.mem.add("mem", c.mem.length, { data: c.mem });
    buf = region.bytes;
    args.push(loaded.vm.mem.addressOf(region), BigInt(c.mem.length));
  }
  const res = loaded.vm.run(loaded.programs[0]!.slot, args);
  if (c.fault !== undefined) {
    if (!res.fault) problems.push(`expected a fault, but the run returned r0=${hex64(res.r0)}`);
    else if (typeof c.fault === "string" && !res.fault.message.includes(c.fault))
      problems.push(`fault message "${res.fault.message}" lacks "${c.fault}"`);
  } else if (res.fault)
    problems.push(`unexpected fault at pc ${res.fault.pc}: ${res.fault.message}`);
  else {
    if (c.r0 !== undefined && res.r0 !== c.r0)
      problems.push(`r0 = ${hex64(res.r0)}, expected ${hex64(c.r0)}`);
    if (c.expectMem && buf && Buffer.compare(Buffer.from(buf), Buffer.from(c.expectMem)) !== 0)
      problems.push(
        `memory = ${Buffer.from(buf).toString("hex")}, expected ${Buffer.from(c.expectMem).toString("hex")}`,
      );
  }
  return {
    ok: problems.length === 0,
    problems,
    r0: res.r0,
    ...(buf ? { mem: buf } : {}),
    ...(res.fault ? { fault: res.fault } : {}),
    insns: res.insns,
  };
}
