// The BTF of an object read from disk: `.BTF` decoded, and `.BTF.ext` resolved against its
// strings (what the disassembler and verifier use to map instructions to source lines).
import type { Diagnostic } from "../diagnostics/index.js";
import type { DecodedBtf } from "./btf.js";
import { decodeBtf } from "./btf.js";
import type { DecodedBtfExt } from "./btf-ext.js";
import { decodeBtfExt } from "./btf-ext.js";
import type { ObjFile } from "./types.js";

export function objectBtf(
  obj: ObjFile,
  file?: string,
): { btf?: DecodedBtf; ext?: DecodedBtfExt; diagnostics: Diagnostic[] } {
  const btfSec = obj.sections.find((s) => s.name === ".BTF");
  const extSec = obj.sections.find((s) => s.name === ".BTF.ext");
  if (!btfSec) return { diagnostics: [] };
  const btf = decodeBtf(btfSec.data, file);
  const ext = extSec ? decodeBtfExt(extSec.data, btf.stringAt, file) : undefined;
  return {
    btf,
    ...(ext ? { ext } : {}),
    diagnostics: [...btf.diagnostics, ...(ext?.diagnostics ?? [])],
  };
}
