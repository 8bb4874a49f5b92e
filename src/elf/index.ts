// Public API of the ELF / BTF layer.
export * from "./types.js";
export { ElfCodes } from "./codes.js";
export { writeElf, tryWriteElf, planSymbols } from "./writer.js";
export type { PlannedSymbol } from "./writer.js";
export { readElf } from "./reader.js";
export type { RawSection, ReadElfResult } from "./reader.js";
export * from "./btf.js";
export * from "./btf-ext.js";
export { objectBtf } from "./object-btf.js";
