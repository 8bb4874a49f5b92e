// Shared by the kernel-oracle tests: a tiny instruction builder and the skip rule.
import type { TestContext } from "node:test";
import { readFileSync } from "node:fs";
import { kernelOracleAvailable } from "../../src/kernel/bpf.js";
import { encodeSlots, type Slot } from "../../src/kernel/slots.js";
import { readElf } from "../../src/elf/reader.js";
import type { ObjFile } from "../../src/elf/types.js";

/** One 8-byte slot. */
export const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): Slot => ({
  code,
  dst,
  src,
  off,
  imm,
});
export const asm = (...slots: Slot[]): Uint8Array => encodeSlots(slots);

// The opcodes these tests spell out by hand (RFC 9669).
export const MOV64_IMM = 0xb7;
export const MOV64_REG = 0xbf;
export const ADD64_IMM = 0x07;
export const CALL = 0x85;
export const EXIT = 0x95;
export const LDXDW = 0x79;
export const STXDW = 0x7b;
export const STDW = 0x7a;
export const STW = 0x62;
export const STXW = 0x63;
export const LDDW = 0x18;

/** Skips (with the probe's reason) when bpf() cannot be used here; returns whether to go on. */
export function needKernel(t: TestContext): boolean {
  const a = kernelOracleAvailable();
  if (!a.ok) {
    t.skip(`kernel oracle unavailable: ${a.reason}`);
    return false;
  }
  return true;
}

export function fixture(name: string): ObjFile {
  const path = new URL(`../fixtures/kernel/${name}.o`, import.meta.url);
  const r = readElf(new Uint8Array(readFileSync(path)), `${name}.o`);
  if (!r.object)
    throw new Error(`cannot read ${name}.o: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  return r.object;
}
