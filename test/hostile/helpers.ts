// Shared pieces of the hostile-input tests: a real object to damage, in-process CLI runs, and
// field patchers that address ELF structures by meaning rather than by hard-coded offsets.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/codegen/index.js";
import { SourceFile } from "../../src/diagnostics/index.js";
import { runCli } from "../../cli/main.js";
import type { CliIO } from "../../cli/io.js";

export const ROOT = new URL("../../", import.meta.url).pathname;

export function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    color: false,
    stdout: (t: string | Uint8Array) =>
      void (io.out += typeof t === "string" ? t : Buffer.from(t).toString("latin1")),
    stderr: (t: string) => void (io.err += t),
  };
  return io as CliIO & { out: string; err: string };
}

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}

export function tempDir(tag = "hostile"): string {
  return mkdtempSync(join(tmpdir(), `ioubpf-${tag}-`));
}

/**
 * The ping-pong example compiled into one object (two programs, maps, BTF, BTF.ext): its
 * iouring-v2 form, the only one it has (examples/ping-pong/v2/).
 */
export function pingPongObject(): Uint8Array {
  const dir = join(ROOT, "examples/ping-pong/v2");
  const srcs = ["ping.bpf.ts", "pong.bpf.ts"].map(
    (f) => new SourceFile(f, readFileSync(join(dir, f), "utf8")),
  );
  const r = compile(srcs, { target: "iouring-v2" });
  if (!r.bytes) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.bytes;
}

export interface SectionHeader {
  index: number;
  at: number;
  type: number;
  offset: number;
  size: number;
  link: number;
}

export function sectionHeaders(b: Uint8Array): SectionHeader[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  const shnum = v.getUint16(60, true);
  const out: SectionHeader[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * 64;
    out.push({
      index: i,
      at,
      type: v.getUint32(at + 4, true),
      offset: Number(v.getBigUint64(at + 24, true)),
      size: Number(v.getBigUint64(at + 32, true)),
      link: v.getUint32(at + 40, true),
    });
  }
  return out;
}

/** Section name by header (through e_shstrndx). */
export function sectionName(b: Uint8Array, h: SectionHeader): string {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hs = sectionHeaders(b);
  const str = hs[v.getUint16(62, true)]!;
  let at = str.offset + v.getUint32(h.at, true);
  let s = "";
  while (b[at] !== 0 && at < b.length) s += String.fromCharCode(b[at++]!);
  return s;
}

/** File offset of symbol `name`'s 24-byte entry. */
export function symbolEntry(b: Uint8Array, name: string): number {
  const hs = sectionHeaders(b);
  const symtab = hs.find((h) => h.type === 2)!;
  const str = hs[symtab.link]!;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 24) {
    let p = str.offset + v.getUint32(at, true);
    let s = "";
    while (b[p] !== 0) s += String.fromCharCode(b[p++]!);
    if (s === name) return at;
  }
  throw new Error(`no symbol ${name}`);
}
