// Shared helpers of the code generation tests.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { compile, type CompileOptions, type CompileResult } from "../../src/codegen/index.js";
import { formatDiagnostics } from "../../src/diagnostics/index.js";
import type { ObjFile } from "../../src/elf/types.js";
import { kernelOracleAvailable } from "../../src/kernel/index.js";
import {
  CQE_SIZE,
  SQE_FLAGS_OFFSET,
  SQE_SIZE,
  sqeField,
  iosqeFlag,
  opcodeNumber,
} from "../../src/targets/sqe.js";
import { contextField, getTarget } from "../../src/targets/targets.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** The code generation tests were written for iouring-v2; they name other targets explicitly. */
const withTarget = (o: CompileOptions): CompileOptions => ({ target: "iouring-v2", ...o });

export function compileFile(path: string, options: CompileOptions = {}): CompileResult {
  return compile([{ path, text: readFileSync(path, "utf8") }], withTarget(options));
}

export function compileText(
  text: string,
  options: CompileOptions = {},
  path = "t.bpf.ts",
): CompileResult {
  return compile([{ path, text }], withTarget(options));
}

export function mustCompile(r: CompileResult): ObjFile {
  if (!r.object || !r.bytes) assert.fail(formatDiagnostics(r.diagnostics, {}));
  return r.object;
}

export function needKernel(t: TestContext): boolean {
  const a = kernelOracleAvailable();
  if (!a.ok) {
    t.skip(`kernel oracle unavailable: ${a.reason}`);
    return false;
  }
  return true;
}

export function tool(t: TestContext, name: string): boolean {
  const r = spawnSync("which", [name]);
  if (r.status !== 0) {
    t.skip(`${name} not installed`);
    return false;
  }
  return true;
}

/** Sets a `.rodata`/`.data` variable of the object (what a loader does before load). */
export function setGlobal(obj: ObjFile, name: string, value: bigint, size: number): void {
  const sym = obj.symbols.find((s) => s.name === name);
  assert.ok(sym && sym.section, `no symbol ${name}`);
  const sec = obj.sections.find((s) => s.name === sym.section)!;
  const v = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  if (size === 8) v.setBigUint64(sym.value, BigInt.asUintN(64, value), true);
  else if (size === 4) v.setUint32(sym.value, Number(BigInt.asUintN(32, value)), true);
  else if (size === 2) v.setUint16(sym.value, Number(BigInt.asUintN(16, value)), true);
  else v.setUint8(sym.value, Number(BigInt.asUintN(8, value)));
}

/**
 * The 64 bytes of an SQE built from the layout table (src/targets/sqe.ts), independently of
 * the code generator: every field not given is zero.
 */
export function expectedSqe(
  op: string,
  fields: Record<string, bigint | number>,
  flags: string[] = [],
): Uint8Array {
  const out = new Uint8Array(SQE_SIZE);
  const v = new DataView(out.buffer);
  const put = (off: number, size: number, x: bigint): void => {
    const u = BigInt.asUintN(size * 8, x);
    if (size === 1) v.setUint8(off, Number(u));
    else if (size === 2) v.setUint16(off, Number(u), true);
    else if (size === 4) v.setUint32(off, Number(u), true);
    else v.setBigUint64(off, u, true);
  };
  const opc = opcodeNumber(op);
  assert.ok(opc !== undefined, op);
  const opField = sqeField("opcode")!;
  put(opField.offset, opField.size, BigInt(opc));
  let fl = 0;
  for (const f of flags) fl |= 1 << iosqeFlag(f)!.bit;
  put(SQE_FLAGS_OFFSET, 1, BigInt(fl));
  for (const [name, value] of Object.entries(fields)) {
    const f = sqeField(name);
    assert.ok(f, `no SQE field ${name}`);
    put(f.offset, f.size, BigInt(value));
  }
  return out;
}

export function ctxBytes(waitNr: number, waitIdx: number, userData = 0n): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const t = getTarget("iouring-v2");
  v.setBigUint64(contextField(t, "user_data")!.offset, userData, true);
  v.setUint32(contextField(t, "wait_nr")!.offset, waitNr, true);
  v.setUint32(contextField(t, "wait_idx")!.offset, waitIdx, true);
  return b;
}

export const SIZES = { SQE_SIZE, CQE_SIZE };
