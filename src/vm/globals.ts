// Scenario `globals` (docs/vm.md): values a loader writes into an object's data sections
// before loading it, as libbpf-style loaders fill `.rodata` (`declare const`) or set other
// global integer variables. Applied to a copy of the object, never in place.
import type { ObjFile } from "../elf/types.js";
import { SHF, SHT } from "../elf/types.js";

export interface GlobalValue {
  name: string;
  value: bigint;
}

/**
 * A copy of `obj` with each named global symbol set to its value (little-endian, truncated
 * to the symbol's size), or the first problem: a name the object does not define in a
 * section, or a symbol that is not a 1-, 2-, 4- or 8-byte variable.
 */
export function setGlobals(
  obj: ObjFile,
  globals: readonly GlobalValue[],
): { object: ObjFile } | { error: string; name: string } {
  if (globals.length === 0) return { object: obj };
  const sections = obj.sections.map((s) => ({ ...s }));
  for (const { name, value } of globals) {
    const sym = obj.symbols.find((s) => s.name === name && s.section !== undefined);
    if (!sym) return { name, error: `globals.${name}: the object has no such symbol` };
    const sec = sections.find((s) => s.name === sym.section);
    const size = sym.size;
    if (!sec || ![1, 2, 4, 8].includes(size) || (sec.flags & SHF.EXECINSTR) !== 0)
      return { name, error: `globals.${name}: not an integer variable` };
    const length = sec.type === SHT.NOBITS ? (sec.size ?? 0) : sec.data.length;
    if (sym.value + size > length)
      return { name, error: `globals.${name}: outside its section ${sec.name}` };
    const data = new Uint8Array(length);
    data.set(sec.data.subarray(0, length));
    const v = BigInt.asUintN(size * 8, value);
    for (let i = 0; i < size; i++) data[sym.value + i] = Number((v >> BigInt(8 * i)) & 0xffn);
    sec.data = data;
  }
  return { object: { ...obj, sections } };
}
