// The assembler's public API.
export { assemble } from "./assembler.js";
export type { AssembleResult, AssembleOptions } from "./assembler.js";
export { AsmCodes } from "./codes.js";
