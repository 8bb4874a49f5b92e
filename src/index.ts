// The library entry point: `import { … } from "ioubpf"`. Each phase re-exports its public API here.
export * from "./diagnostics/index.js";
export * from "./isa/index.js";
export { disassemble, objdumpText, type DisassembleOptions } from "./disasm/objdump.js";
export * from "./elf/index.js";
export * from "./asm/index.js";
export * from "./kernel/index.js";
export * from "./vm/index.js";
