// Diagnostic codes of the bytecode verifier (block E6000–E6999, src/diagnostics/codes.ts).
// One row per rule; docs/verifier.md lists the same table with explanations.
export const VerifierCodes = {
  // object / program structure
  noProgram: "E6001",
  badInstruction: "E6002",
  jumpOutOfRange: "E6003",
  unreachable: "E6004",
  lastNotExit: "E6005",
  badCall: "E6006",
  badRelocation: "E6007",
  deadCode: "E6008", // warning: never reached by any explored path
  // registers
  uninitRegister: "E6010",
  writeFramePointer: "E6011",
  badPointerArith: "E6012",
  pointerCompare: "E6013",
  pointerLeak: "E6014",
  divByZero: "E6015",
  badShift: "E6016",
  nullArith: "E6017",
  sanitizePaths: "E6018",
  // memory
  invalidMemAccess: "E6020",
  stackOutOfBounds: "E6021",
  stackUninit: "E6022",
  misalignedStack: "E6023",
  variableStackOffset: "E6024",
  mapValueOutOfBounds: "E6025",
  nullDeref: "E6026",
  readOnlyWrite: "E6027",
  spilledPointerCorrupt: "E6028",
  // context (program-type rules)
  ctxOpaque: "E6030",
  ctxBadAccess: "E6031",
  ctxModified: "E6032",
  // helpers
  unknownHelper: "E6040",
  helperArg: "E6041",
  helperSize: "E6042",
  sleepableOnly: "E6043",
  gplOnly: "E6044",
  helperMemory: "E6045",
  mapIncompatible: "E6046",
  kfuncUnsupported: "E6047",
  perfmonOnly: "E6048",
  // calls, loops, exit
  callDepth: "E6050",
  recursion: "E6051",
  stackTooLarge: "E6052",
  returnValue: "E6053",
  returnPointer: "E6054",
  infiniteLoop: "E6055",
  complexity: "E6056",
  tooManyBranches: "E6057",
  unsupportedInsn: "E6058",
  targetUnsupported: "E6059",
} as const;

export type VerifierCode = (typeof VerifierCodes)[keyof typeof VerifierCodes];
