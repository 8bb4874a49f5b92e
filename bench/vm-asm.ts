// Assembles BPF text with llvm-mc-19 (bpfel, v4) and reads it back with our ELF reader, for
// benches and tests that must not depend on our own assembler.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readElf } from "../src/elf/reader.js";
import type { ObjFile } from "../src/elf/types.js";

export function assemble(text: string): ObjFile {
  const dir = mkdtempSync(join(tmpdir(), "ioubpf-vm-"));
  try {
    writeFileSync(join(dir, "a.s"), text + "\n");
    execFileSync("llvm-mc-19", ["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", join(dir, "a.s"), "-o", join(dir, "a.o")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const r = readElf(new Uint8Array(readFileSync(join(dir, "a.o"))), "a.o");
    if (!r.object) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
    return r.object;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
