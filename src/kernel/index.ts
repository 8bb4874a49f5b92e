// The kernel oracle's public API (docs/kernel-oracle.md).
export {
  kernelVerify,
  kernelRun,
  objectFromInsns,
  parseProcessedInsns,
  type KernelVerdict,
  type OracleMode,
  type KernelVerifyOptions,
  type KernelVerifyResult,
  type KernelRunOptions,
  type KernelRunResult,
  type ScriptedCqe,
  type EmittedCqe,
  type RawProgram,
} from "./oracle.js";
export { kernelOracleAvailable } from "./bpf.js";
export { KernelCodes } from "./codes.js";
