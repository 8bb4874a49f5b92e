// Running the LLVM tools the cross-checks compare against. Every check that needs one skips
// with a printed reason when it is missing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function haveTool(name: string): boolean {
  const r = spawnSync(name, ["--version"], { encoding: "utf8" });
  return r.status === 0;
}

export const LLVM_MC = "llvm-mc-19";
export const LLVM_OBJDUMP = "llvm-objdump-19";

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-isa-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Assembles `source` with llvm-mc-19 (bpfel, -mcpu=v4); returns the object or the stderr. */
export function llvmAssemble(
  dir: string,
  source: string,
  name = "t",
): { obj?: Uint8Array; path: string; stderr: string } {
  const s = join(dir, `${name}.s`);
  const o = join(dir, `${name}.o`);
  writeFileSync(s, source);
  const r = spawnSync(LLVM_MC, ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", s, "-o", o], {
    encoding: "utf8",
  });
  if (r.status !== 0) return { path: o, stderr: r.stderr };
  return { obj: new Uint8Array(readFileSync(o)), path: o, stderr: r.stderr };
}

export function llvmObjdump(path: string, args: string[]): string {
  const r = spawnSync(LLVM_OBJDUMP, [...args, path], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`llvm-objdump failed: ${r.stderr}`);
  return r.stdout;
}

/** Instruction lines of an objdump listing: slot index → { bytes, text }. */
export function objdumpLines(listing: string): Map<number, { bytes: string; text: string }> {
  const out = new Map<number, { bytes: string; text: string }>();
  for (const line of listing.split("\n")) {
    const m = /^\s*(\d+):\t([0-9a-f ]+)\t(.*)$/.exec(line);
    if (m) out.set(Number(m[1]), { bytes: m[2]!, text: m[3]! });
  }
  return out;
}

/** The contents of section `.text` in an ELF64 little-endian object (enough for llvm-mc output). */
export function textSection(obj: Uint8Array): Uint8Array {
  const v = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const hdr = (i: number) => shoff + i * shentsize;
  const strOff = Number(v.getBigUint64(hdr(shstrndx) + 0x18, true));
  for (let i = 0; i < shnum; i++) {
    const nameOff = v.getUint32(hdr(i), true);
    let end = strOff + nameOff;
    while (obj[end] !== 0) end++;
    const name = Buffer.from(obj.subarray(strOff + nameOff, end)).toString();
    if (name === ".text") {
      const off = Number(v.getBigUint64(hdr(i) + 0x18, true));
      const size = Number(v.getBigUint64(hdr(i) + 0x20, true));
      return obj.subarray(off, off + size);
    }
  }
  throw new Error("no .text section");
}

export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}
