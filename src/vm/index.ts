// The VM's public API: load an object, run a program, simulate a scripted ring.
export {
  Interpreter,
  VmFault,
  MAX_CALL_FRAMES,
  STACK_SIZE,
  MAY_GOTO_BUDGET,
} from "./interpreter.js";
export type { HelperFn, InterpreterOptions, RunResult } from "./interpreter.js";
export { Memory } from "./memory.js";
export type { Region } from "./memory.js";
export { loadObject, findProgram } from "./loader.js";
export type { LoadedObject, LoadOptions, ProgramInfo } from "./loader.js";
export { VmMap, mapDefsFromBtf } from "./maps.js";
export type { MapDef } from "./maps.js";
export { makeHelpers, formatPrintk, IMPLEMENTED_HELPERS } from "./helpers.js";
export type { HelperEnv, HelperEvent } from "./helpers.js";
export { CompletionQueue, UserMemory, decodeSqe, encodeSqe } from "./ring.js";
export type { Cqe, SqeView } from "./ring.js";
export { parseScenario, defaultScenario } from "./scenario.js";
export type { Scenario, CompletionRule } from "./scenario.js";
export { simulate } from "./simulate.js";
export type { SimEvent, SimResult, SimOptions } from "./simulate.js";
export { formatTrace, traceToJson } from "./trace.js";
export { parseConformance, runConformanceCase } from "./conformance.js";
export type { ConformanceCase, ConformanceFile, CaseOutcome } from "./conformance.js";
export { VmCodes } from "./codes.js";
export {
  createStepper71,
  createStepper71FromObject,
  DEFAULT_GEOMETRY71,
  EMIT_MAP,
  Fault71,
  GEOMETRY_GLOBALS,
  geometryRodata,
  REGION71,
  regionSizes,
} from "./linux71.js";
export type {
  Geometry71,
  Kfunc71Event,
  Ring71,
  Step71Result,
  Stepper71,
  Stepper71Details,
  Stepper71Options,
} from "./linux71.js";
export { SimRing71 } from "./ring71.js";
export { simulate71, isStructOpsObject } from "./simulate71.js";
