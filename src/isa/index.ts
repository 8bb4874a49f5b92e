// The instruction set: one table plus encoder, decoder and text forms built on it.
export type { Instruction } from "./instruction.js";
export * from "./opcodes.js";
export * from "./table.js";
export * from "./encode.js";
export * from "./decode.js";
export * from "./text.js";
