// Assembles BPF text with llvm-mc-19 (bpfel, v4) and reads it back with our ELF reader, for
// tests and benches that must not depend on our own assembler.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../../src/elf/reader.js";
import type { ObjFile } from "../../src/elf/types.js";

export function assemble(text: string): ObjFile {
  return assembleMany([text])[0]!;
}

/** Assembles several sources in one temporary directory (one llvm-mc process each). */
export function assembleMany(texts: readonly string[]): ObjFile[] {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-vm-"));
  try {
    return texts.map((text, i) => {
      const src = join(dir, `${i}.s`);
      const obj = join(dir, `${i}.o`);
      writeFileSync(src, text + "\n");
      try {
        execFileSync(
          "llvm-mc-19",
          ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", src, "-o", obj],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
      } catch (e) {
        throw new Error(
          `llvm-mc-19 failed on:\n${text}\n${String((e as { stderr?: Buffer }).stderr ?? e)}`,
        );
      }
      const r = readElf(new Uint8Array(readFileSync(obj)), `${i}.o`);
      if (!r.object) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
      return r.object;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
